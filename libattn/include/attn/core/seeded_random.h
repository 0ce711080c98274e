// Portable seeded randomness on std::mt19937_64. The standard distributions
// (std::uniform_int_distribution, std::shuffle) are implementation-defined,
// so the same seed would give different data with libstdc++ and libc++; these
// helpers are specified here and give the same draws everywhere. Used by the
// synthetic keyword task (attn/data/keyword_task.h), the SpamAssassin split
// and the shuffled baseline A-hat (PAPER.md section 4).
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "attn/core/error.h"

namespace attn {

/// A uniform integer in [0, n), n >= 1, by rejection sampling (no modulo bias).
inline uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  check(n >= 1, "uniform_below: expected n >= 1, got 0");
  // Accept draws below the largest multiple of n that fits in 2^64.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % n + 1) % n;
  uint64_t draw = rng();
  while (draw > limit) draw = rng();
  return draw % n;
}

/// A uniform integer in [lo, hi] (both included), lo <= hi.
inline int64_t uniform_int(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  check(lo <= hi, "uniform_int: expected lo <= hi, got [{}, {}]", lo, hi);
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  const uint64_t offset = span == UINT64_MAX ? rng() : uniform_below(rng, span + 1);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + offset);
}

/// Fisher-Yates shuffle of `items` (every permutation equally likely).
template <typename T>
void shuffle_in_place(std::vector<T>& items, std::mt19937_64& rng) {
  for (size_t i = items.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(uniform_below(rng, i));
    std::swap(items[i - 1], items[j]);
  }
}

}  // namespace attn
