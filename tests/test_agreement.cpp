// Tests for the agreement metrics and the checkpoint protocol
// (attn/metrics/agreement.h, attn/metrics/checkpoint_protocol.h; PAPER.md
// section 4). Every expected value is worked out by hand in a comment; the
// shuffled baseline is checked against its exact expectation.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "attn/core/error.h"
#include "attn/metrics/agreement.h"
#include "attn/metrics/checkpoint_protocol.h"

namespace {

namespace m = attn::metrics;
using V = std::vector<double>;
const double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("top_percent_size is ceil(p n / 100)", "[metrics]") {
  CHECK(m::top_percent_size(1, 5) == 1);    // 0.05 -> 1
  CHECK(m::top_percent_size(20, 5) == 1);   // exactly 1
  CHECK(m::top_percent_size(21, 5) == 2);   // 1.05 -> 2
  CHECK(m::top_percent_size(40, 5) == 2);   // exactly 2
  CHECK(m::top_percent_size(100, 5) == 5);  // exactly 5
  CHECK(m::top_percent_size(3, 50) == 2);   // 1.5 -> 2
  CHECK(m::top_percent_size(7, 100) == 7);
  CHECK_THROWS_AS(m::top_percent_size(5, 0), attn::Error);
  CHECK_THROWS_AS(m::top_percent_size(5, 101), attn::Error);
  CHECK_THROWS_AS(m::top_percent_size(0, 5), attn::Error);
}

TEST_CASE("top-p% match for one pair, ties in y counted in x's favour", "[metrics]") {
  // n = 3, p = 5: k = 1. argmax x = position 1, y_1 = 0.5.
  CHECK(m::top_percent_match(V{0.1, 0.7, 0.2}, V{0.3, 0.5, 0.2}) == 1.0);  // no y above 0.5
  CHECK(m::top_percent_match(V{0.1, 0.7, 0.2}, V{0.6, 0.5, 0.2}) == 0.0);  // one y above: 1 is not < 1
  CHECK(m::top_percent_match(V{0.1, 0.7, 0.2}, V{0.5, 0.5, 0.2}) == 1.0);  // a tie is not "above"
  // Ties in x: the first maximal position (0) is x's choice; y_0 = 0 has two above.
  CHECK(m::top_percent_match(V{1, 1, 0}, V{0, 5, 1}) == 0.0);
  // A length-1 pair always matches.
  CHECK(m::top_percent_match(V{3}, V{-1}) == 1.0);
  // n = 40: k = 2, so one larger y still matches, two do not.
  V x(40, 0.0), y(40, 0.0);
  x[0] = 1.0;
  y[0] = 0.5;
  y[7] = 0.9;
  CHECK(m::top_percent_match(x, y) == 1.0);
  y[8] = 0.8;
  CHECK(m::top_percent_match(x, y) == 0.0);
  CHECK(m::top_percent_match(x, y, 7.5) == 1.0);  // k = ceil(3) = 3
  CHECK_THROWS_AS(m::top_percent_match(V{1, 2}, V{1}), attn::Error);
  CHECK_THROWS_AS(m::top_percent_match(V{}, V{}), attn::Error);
}

TEST_CASE("Kendall tau-b for one pair, by hand", "[metrics]") {
  // x = (1,2,3), y = (1,3,2): position pairs (0,1) concordant, (0,2) concordant,
  // (1,2) discordant; no ties: (2 - 1) / sqrt(3 * 3) = 1/3.
  CHECK(m::kendall_tau_b(V{1, 2, 3}, V{1, 3, 2}) == Approx(1.0 / 3.0));
  // With a tie: x = (1,2,2), y = (1,2,3). (0,1) concordant, (0,2) concordant,
  // (1,2) tied in x only. n_0 = 3, n_x = 1, n_y = 0:
  // tau_b = (2 - 0) / sqrt((3 - 1) * (3 - 0)) = 2 / sqrt(6) = 0.8164965809.
  CHECK(m::kendall_tau_b(V{1, 2, 2}, V{1, 2, 3}) == Approx(0.8164965809277259));
  // Ties in both: x = (1,1,2,2), y = (1,2,2,3). Position pairs:
  //   (0,1) tied in x; (0,2) +; (0,3) +; (1,2) tied in y; (1,3) +; (2,3) tied in x.
  // n_c = 3, n_d = 0, n_0 = 6, n_x = 2, n_y = 1: tau_b = 3 / sqrt(4 * 5) = 0.6708.
  CHECK(m::kendall_tau_b(V{1, 1, 2, 2}, V{1, 2, 2, 3}) == Approx(3.0 / std::sqrt(20.0)));
  CHECK(m::kendall_tau_b(V{1, 2}, V{2, 1}) == Approx(-1.0));
  CHECK(m::kendall_tau_b(V{4, 3, 2, 1}, V{1, 2, 3, 4}) == Approx(-1.0));
  CHECK(std::isnan(m::kendall_tau_b(V{5}, V{1})));           // n = 1: undefined
  CHECK(std::isnan(m::kendall_tau_b(V{2, 2, 2}, V{1, 2, 3})));  // x constant
  CHECK(std::isnan(m::kendall_tau_b(V{1, 2, 3}, V{0, 0, 0})));  // y constant
  CHECK_THROWS_AS(m::kendall_tau_b(V{1, kNaN}, V{1, 2}), attn::Error);
}

TEST_CASE("batched metrics use only the valid positions of each pair", "[metrics]") {
  // Row 0: valid (1,2,2) vs (1,2,3) -> tau 2/sqrt(6); argmax x = position 1
  //        (first of the tie), y_1 = 2 has y_2 = 3 above it, k = 1 -> match 0.
  // Row 1: one valid position -> match 1, tau NaN.
  // Row 2: no valid position -> NaN for both, left out of the means.
  const torch::Tensor x = torch::tensor({1.0, 2.0, 2.0, 9.0, 7.0, 9.0, 9.0, 9.0, 1.0, 2.0, 3.0, 4.0}).view({3, 4});
  const torch::Tensor y = torch::tensor({1.0, 2.0, 3.0, -5.0, 0.0, 9.0, 9.0, 9.0, 4.0, 3.0, 2.0, 1.0}).view({3, 4});
  const torch::Tensor mask = m::mask_from_lengths(torch::tensor({3, 1, 0}, torch::kInt64), 4);
  CHECK(torch::equal(mask[0], torch::tensor({true, true, true, false})));

  const m::PairScores match = m::top_percent_match(x, y, mask);
  REQUIRE(match.values.size(0) == 3);
  CHECK(match.values[0].item<double>() == 0.0);
  CHECK(match.values[1].item<double>() == 1.0);
  CHECK(std::isnan(match.values[2].item<double>()));
  CHECK(match.count == 2);
  CHECK(match.mean == Approx(0.5));

  const m::PairScores tau = m::kendall_tau_b(x, y, mask);
  CHECK(tau.values[0].item<double>() == Approx(0.8164965809277259));
  CHECK(std::isnan(tau.values[1].item<double>()));
  CHECK(tau.count == 1);
  CHECK(tau.mean == Approx(0.8164965809277259));

  // (B, T, S) scores with a (B, 1, S) source mask: same rows, regrouped.
  const m::PairScores grouped =
      m::top_percent_match(x.view({1, 3, 4}), y.view({1, 3, 4}), torch::tensor({true, true, true, false}).view({1, 1, 4}));
  // Row 1 now has positions (7,9,9) vs (0,9,9): argmax x = 1, nothing above 9 -> 1.
  // Row 2: (1,2,3) vs (4,3,2): argmax x = 2, y = 2 has 4 and 3 above -> 0.
  CHECK(grouped.values[0].item<double>() == 0.0);
  CHECK(grouped.values[1].item<double>() == 1.0);
  CHECK(grouped.values[2].item<double>() == 0.0);
  CHECK(grouped.mean == Approx(1.0 / 3.0));

  CHECK_THROWS_AS(m::top_percent_match(x, y.view({4, 3}), mask), attn::Error);
  CHECK_THROWS_AS(m::kendall_tau_b(x, y, torch::ones({2, 4}, torch::kBool)), attn::Error);
}

TEST_CASE("shuffled baseline matches its exact expectation and is seeded", "[metrics]") {
  // 50 pairs of 10 distinct y values; x's argmax lands on a uniformly random
  // y after shuffling, which is in the top k = 1 with probability 1/10.
  // tau-b of a random permutation has expectation 0.
  const torch::Tensor x = torch::arange(10, torch::kFloat64).repeat({50, 1});   // (50, 10)
  const torch::Tensor y = torch::arange(10, torch::kFloat64).repeat({50, 1});   // identical: A = 1, tau = 1
  const torch::Tensor mask = torch::ones({50, 10}, torch::kBool);
  CHECK(m::top_percent_match(x, y, mask).mean == 1.0);
  CHECK(m::kendall_tau_b(x, y, mask).mean == Approx(1.0));

  m::ShuffleOptions options;
  options.repeats(2000);  // 100000 permutations in all
  options.seed(11);
  const m::PairScores a_hat = m::shuffled_baseline(m::Statistic::kTopPercentMatch, x, y, mask, options);
  CHECK(a_hat.count == 50);
  CHECK(std::abs(a_hat.mean - 0.1) < 0.006);  // sd of the mean ~ 0.00095
  const m::PairScores tau_hat = m::shuffled_baseline(m::Statistic::kKendallTau, x, y, mask, options);
  CHECK(std::abs(tau_hat.mean) < 0.01);  // sd of one tau ~ 0.26, of the mean ~ 0.0008

  options.repeats(3);
  const auto first = m::shuffled_baseline(m::Statistic::kKendallTau, x, y, mask, options);
  const auto again = m::shuffled_baseline(m::Statistic::kKendallTau, x, y, mask, options);
  options.seed(12);
  const auto other = m::shuffled_baseline(m::Statistic::kKendallTau, x, y, mask, options);
  CHECK(torch::equal(first.values, again.values));
  CHECK_FALSE(torch::equal(first.values, other.values));

  // Constant y stays constant under any permutation: tau undefined everywhere.
  const auto flat = m::shuffled_baseline(m::Statistic::kKendallTau, x, torch::zeros({50, 10}, torch::kFloat64), mask);
  CHECK(flat.count == 0);
  CHECK(std::isnan(flat.mean));
  options.repeats(0);
  CHECK_THROWS_AS(m::shuffled_baseline(m::Statistic::kTopPercentMatch, x, y, mask, options), attn::Error);
}

TEST_CASE("checkpoint protocol: the max over checkpoints, its checkpoint, and all-NaN input", "[metrics]") {
  // The earliest of equal maxima; NaN checkpoints are skipped.
  CHECK(m::argmax_over_checkpoints(V{kNaN, 0.2, 0.7, 0.5, 0.7}) == std::optional<size_t>(2));
  CHECK(m::max_over_checkpoints(V{kNaN, 0.2, 0.7, 0.5, 0.7}) == 0.7);
  CHECK(m::argmax_over_checkpoints(V{-0.3, kNaN}) == std::optional<size_t>(0));
  // All NaN (the statistic undefined at every checkpoint): no maximum and no
  // checkpoint, rather than a -inf stand-in that every c(ckpt) would exceed.
  const V all_nan{kNaN, kNaN, kNaN};
  CHECK_FALSE(m::max_over_checkpoints(all_nan).has_value());
  CHECK_FALSE(m::argmax_over_checkpoints(all_nan).has_value());
  CHECK_FALSE(m::argmax_over_checkpoints(V{}).has_value());
}

TEST_CASE("checkpoint protocol: max over checkpoints, mean over runs, xi", "[metrics]") {
  CHECK(m::max_over_checkpoints(V{0.2, kNaN, 0.7, 0.5}) == 0.7);
  CHECK_FALSE(m::max_over_checkpoints(V{}).has_value());
  CHECK_FALSE(m::max_over_checkpoints(V{kNaN}).has_value());

  const V mean = m::mean_over_runs({{0.1, 0.5, kNaN}, {0.3, kNaN, kNaN}});
  CHECK(mean[0] == Approx(0.2));
  CHECK(mean[1] == Approx(0.5));
  CHECK(std::isnan(mean[2]));
  CHECK_THROWS_WITH(m::mean_over_runs({{0.1, 0.2}, {0.3}}), Catch::Contains("run 1 has 1 checkpoints"));
  CHECK_THROWS_AS(m::mean_over_runs({}), attn::Error);

  // c(ckpt) rises 0.1, 0.3, 0.5, 0.6; perf(ckpt) 0.5, 0.6, 0.8, 0.9.
  const V c{0.1, 0.3, 0.5, 0.6}, perf{0.5, 0.6, 0.8, 0.9};
  CHECK(m::xi(0.45, c, perf) == 0.8);  // first c > 0.45 is checkpoint 2
  CHECK(m::xi(0.5, c, perf) == 0.9);   // strictly greater: 0.5 does not count
  CHECK(m::xi(0.0, c, perf) == 0.5);
  CHECK_FALSE(m::xi(0.6, c, perf).has_value());  // never above
  CHECK(m::first_checkpoint_above(V{kNaN, 0.9}, 0.5) == std::optional<size_t>(1));
  CHECK_THROWS_AS(m::xi(0.1, c, V{0.5}), attn::Error);
}
