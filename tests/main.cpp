// The Catch2 (v2) entry point of attn_tests: every tests/*.cpp is compiled
// into this one executable (tests/CMakeLists.txt); this file only supplies main.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
