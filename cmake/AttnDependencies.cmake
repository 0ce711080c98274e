# Finds every dependency once, for the library, the apps and the tests.
# LibTorch comes from find_package(Torch): point CMAKE_PREFIX_PATH at a CUDA
# LibTorch (e.g. `python -c "import torch;print(torch.utils.cmake_prefix_path)"`)
# to build the CUDA flavour; nothing else changes.
find_package(Torch REQUIRED)
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
find_package(PkgConfig REQUIRED)
pkg_check_modules(sentencepiece REQUIRED sentencepiece)
