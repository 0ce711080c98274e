# Finds every dependency once, for the library, the apps and the tests.
# LibTorch comes from find_package(Torch): point CMAKE_PREFIX_PATH at a CUDA
# LibTorch (e.g. `python -c "import torch;print(torch.utils.cmake_prefix_path)"`)
# to build the CUDA flavour; nothing else changes.
find_package(Torch REQUIRED)
find_package(fmt REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(cxxopts REQUIRED)   # cmake/Findcxxopts.cmake: Debian ships no config file
find_package(Threads REQUIRED)
