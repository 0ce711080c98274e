// The checkpoint protocol of PAPER.md section 4, as pure functions over
// per-checkpoint numbers (the runs and probes that produce them live
// elsewhere):
//   A(X) for a probe pair X  = max over the uniform run's checkpoints of the
//                              agreement with the gold attention;
//   c(ckpt), perf(ckpt)      = the comparison runs' mean agreement with the
//                              gold attention and mean validation performance;
//   xi(X)                    = perf at the first checkpoint where c(ckpt) > A(X)
//                              ("how good must a normally trained model already
//                              be before its attention agrees with the final
//                              attention as much as X does"), none if never.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace attn::metrics {

/// The largest value, skipping NaN (a checkpoint where the statistic was
/// undefined); std::nullopt when there is none: no values, or NaN at every
/// checkpoint. An all-NaN input has no maximum; a stand-in such as -inf would
/// pass for an agreement level that every c(ckpt) exceeds, giving a
/// meaningless xi, so callers must handle the absence.
std::optional<double> max_over_checkpoints(const std::vector<double>& values);

/// Index of that value (the first of equal maxima); std::nullopt when
/// max_over_checkpoints() has none.
std::optional<size_t> argmax_over_checkpoints(const std::vector<double>& values);

/// Element-wise mean over runs: per_run[r][c] is run r at checkpoint c. NaN
/// entries are skipped; a checkpoint with no value gives NaN. Throws
/// attn::Error when the runs have different numbers of checkpoints or there
/// are no runs.
std::vector<double> mean_over_runs(const std::vector<std::vector<double>>& per_run);

/// Index of the first checkpoint with agreement[c] > threshold (NaN never is);
/// std::nullopt if none.
std::optional<size_t> first_checkpoint_above(const std::vector<double>& agreement, double threshold);

/// xi(X) = performance[c] at c = first_checkpoint_above(agreement, a_x);
/// std::nullopt if the comparison runs never agree more than A(X). Throws
/// attn::Error when the two vectors differ in length.
std::optional<double> xi(double a_x, const std::vector<double>& agreement,
                         const std::vector<double>& performance);

}  // namespace attn::metrics
