# Finds the header-only cxxopts (Debian's libcxxopts-dev ships no CMake config).
# Provides the imported target cxxopts::cxxopts.
find_package(cxxopts CONFIG QUIET NO_MODULE)
if(TARGET cxxopts::cxxopts)
  set(cxxopts_FOUND TRUE)
  return()
endif()
find_path(CXXOPTS_INCLUDE_DIR cxxopts.hpp)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(cxxopts REQUIRED_VARS CXXOPTS_INCLUDE_DIR)
if(cxxopts_FOUND AND NOT TARGET cxxopts::cxxopts)
  add_library(cxxopts::cxxopts INTERFACE IMPORTED)
  set_target_properties(cxxopts::cxxopts PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${CXXOPTS_INCLUDE_DIR}")
endif()
