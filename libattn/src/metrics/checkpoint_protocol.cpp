// Checkpoint protocol helpers (see attn/metrics/checkpoint_protocol.h).
#include "attn/metrics/checkpoint_protocol.h"

#include <cmath>
#include <limits>

#include "attn/core/error.h"

namespace attn::metrics {

std::optional<size_t> argmax_over_checkpoints(const std::vector<double>& values) {
  std::optional<size_t> best;
  for (size_t c = 0; c < values.size(); ++c)
    if (!std::isnan(values[c]) && (!best || values[c] > values[*best])) best = c;
  return best;
}

std::optional<double> max_over_checkpoints(const std::vector<double>& values) {
  const std::optional<size_t> c = argmax_over_checkpoints(values);
  if (!c) return std::nullopt;
  return values[*c];
}

std::vector<double> mean_over_runs(const std::vector<std::vector<double>>& per_run) {
  check(!per_run.empty(), "mean over runs: expected at least one run, got none");
  const size_t checkpoints = per_run.front().size();
  std::vector<double> mean(checkpoints, std::numeric_limits<double>::quiet_NaN());
  for (size_t r = 0; r < per_run.size(); ++r)
    check(per_run[r].size() == checkpoints,
          "mean over runs: run {} has {} checkpoints but run 0 has {}; expected the same schedule", r,
          per_run[r].size(), checkpoints);
  for (size_t c = 0; c < checkpoints; ++c) {
    double sum = 0.0;
    int count = 0;
    for (const auto& run : per_run)
      if (!std::isnan(run[c])) {
        sum += run[c];
        ++count;
      }
    if (count > 0) mean[c] = sum / count;
  }
  return mean;
}

std::optional<size_t> first_checkpoint_above(const std::vector<double>& agreement, double threshold) {
  for (size_t c = 0; c < agreement.size(); ++c)
    if (agreement[c] > threshold) return c;  // false for NaN
  return std::nullopt;
}

std::optional<double> xi(double a_x, const std::vector<double>& agreement,
                         const std::vector<double>& performance) {
  check(agreement.size() == performance.size(),
        "xi: {} agreement values but {} performance values; expected one of each per checkpoint",
        agreement.size(), performance.size());
  const std::optional<size_t> c = first_checkpoint_above(agreement, a_x);
  if (!c) return std::nullopt;
  return performance[*c];
}

}  // namespace attn::metrics
