// A Catch2 fixture that puts a test's random state at a known point, so a test
// gives the same draws whether it runs alone (as CTest runs it) or after any
// other test in one attn_tests process, in any order.
//
//   TEST_CASE_METHOD(attn_test::Seeded, "name", "[tags]") { ... rng() ... }
//   TEST_CASE_METHOD(attn_test::SeededWith<6>, "name", "[tags]") { ... }
//
// The constructor seeds LibTorch's default generator (torch::manual_seed: the
// CPU generator every torch::randn / module initialisation draws from) and
// gives the test its own std::mt19937_64 `rng` on the same seed, for draws that
// must not go through torch. SeededWith<N> keeps a test's historical seed.
#pragma once

#include <torch/types.h>
#include <torch/utils.h>

#include <cstdint>
#include <random>

namespace attn_test {

template <uint64_t Seed>
struct SeededWith {
  static constexpr uint64_t kSeed = Seed;
  SeededWith() { torch::manual_seed(Seed); }
  std::mt19937_64 rng{Seed};
};

/// The default seed of the new tests.
using Seeded = SeededWith<20210313>;

}  // namespace attn_test
