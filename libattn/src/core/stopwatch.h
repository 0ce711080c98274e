// Seconds since a steady-clock instant, as the analyses' progress lines and
// benchmarks report them.
#pragma once

#include <chrono>

namespace attn {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace attn
