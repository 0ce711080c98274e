// Agreement between two score vectors over the same source positions
// (PAPER.md section 4): the top-p% match A(x, y), Kendall's tau-b, and the
// shuffled baseline A-hat. x and y are, e.g., attention alpha and a probe beta
// for every (example, target step) pair; for classification there is one
// pair per example.
//
// Batched form: x and y are (N, L) (or (..., L), flattened to pairs), with a
// validity mask of the same shape (or broadcastable to it, e.g. (B, 1, S) for
// (B, T, S)); position j of pair i counts iff mask[i][j]. Use
// mask_from_lengths() when you have lengths. A pair with no valid position
// gets NaN and is left out of the mean.
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace attn::metrics {

/// Per-pair values and their mean.
struct PairScores {
  torch::Tensor values;  ///< (N) float64, NaN where the statistic is undefined
  double mean = 0.0;     ///< mean of the non-NaN values; NaN when there are none
  int64_t count = 0;     ///< number of non-NaN values in the mean
};

/// (N, L) bool mask: true at positions j < lengths[i]. lengths is (N) int64.
torch::Tensor mask_from_lengths(const torch::Tensor& lengths, int64_t max_length);

// ---- one pair (the definitions) ------------------------------------------------

/// k = ceil(p n / 100): the size of the top p% of n positions (at least 1).
int64_t top_percent_size(int64_t n, double percent);

/// A(x, y) for one pair: 1 if fewer than k = ceil(p n / 100) positions j have
/// y_j > y_a, where a = argmax x (first index on ties in x); ties in y count
/// in x's favour. Throws attn::Error for empty or unequal-length vectors or p
/// outside (0, 100].
double top_percent_match(const std::vector<double>& x, const std::vector<double>& y,
                         double percent = 5.0);

/// Kendall's tau-b = (n_c - n_d) / sqrt((n_0 - n_x)(n_0 - n_y)), with n_0 =
/// n(n-1)/2 and n_x, n_y the pairs tied in x, in y. NaN when n < 2 or either
/// vector is constant (the denominator is 0).
double kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y);

// ---- batched -----------------------------------------------------------------

/// A(x_i, y_i) for every pair i, and A (their mean).
PairScores top_percent_match(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& mask,
                             double percent = 5.0);

/// tau-b for every pair; the mean skips NaN pairs.
PairScores kendall_tau_b(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& mask);

/// Which statistic a shuffled baseline recomputes.
enum class Statistic { kTopPercentMatch, kKendallTau };

/// How shuffled_baseline() permutes.
struct ShuffleOptions {
  /// R: permutations per pair; a pair's value is the mean over them.
  TORCH_ARG(int64_t, repeats) = 10;
  /// Seeds one std::mt19937_64 that is consumed pair by pair, repetition by
  /// repetition (attn::shuffle_in_place), so results are reproducible.
  TORCH_ARG(uint64_t, seed) = 0;
  /// p of the top-p% match.
  TORCH_ARG(double, percent) = 5.0;
};

/// A-hat: the statistic after permuting y at random among each pair's valid
/// positions, averaged over R permutations per pair, then over pairs.
PairScores shuffled_baseline(Statistic statistic, const torch::Tensor& x, const torch::Tensor& y,
                             const torch::Tensor& mask, const ShuffleOptions& options = {});

}  // namespace attn::metrics
