# Finds every dependency once, for the library, the apps and the tests.
# LibTorch comes from find_package(Torch): point CMAKE_PREFIX_PATH at a CUDA
# LibTorch (e.g. `python -c "import torch;print(torch.utils.cmake_prefix_path)"`)
# to build the CUDA flavour; nothing else changes.
find_package(Torch REQUIRED)
# fmt is used header-only (fmt::fmt-header-only): a pip LibTorch ships its own
# fmt headers (fmt 11/12) that may come first on the include path, and code
# compiled against those must not link against Debian's libfmt.so.9.
find_package(fmt REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(cxxopts CONFIG REQUIRED)   # Debian's libcxxopts-dev: /usr/lib/cmake/cxxopts
find_package(nlohmann_json 3 REQUIRED)   # JSON files (run.json, metrics.jsonl, data sets)
find_package(Git QUIET)                  # the commit in attn/version.h (optional)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)              # gzip: FreeDict's .dict.dz (data/freedict.h)
# SentencePiece (Debian libsentencepiece-dev 0.1.97) ships no CMake package,
# only pkg-config's sentencepiece.pc. Its header is needed to build; the
# library itself is loaded at run time (src/data/sentencepiece_library.h).
# pkg-config gives a hint where there is one; the header is then looked up
# under CMAKE_PREFIX_PATH too (a machine without pkg-config, or packages
# unpacked into a folder: scripts/gpu-check.sh).
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_sentencepiece QUIET sentencepiece)
endif()
find_path(ATTN_SENTENCEPIECE_INCLUDE_DIR sentencepiece_processor.h HINTS ${PC_sentencepiece_INCLUDE_DIRS})
if(NOT ATTN_SENTENCEPIECE_INCLUDE_DIR)
  message(FATAL_ERROR "SentencePiece: sentencepiece_processor.h not found; install libsentencepiece-dev "
                      "(or add the folder it is unpacked in to CMAKE_PREFIX_PATH)")
endif()
