// Which heads of a multi-head trial learned to attend, and in what order, read
// off the per-head attention accuracy in its history (paper Section 5.2: in a
// 7-bad-1-good model, does the good head lead and do the bad heads follow?).
// A head counts as attending once its attention accuracy exceeds a level
// (kAttendingLevel, 0.5: most target positions attend to their source token).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attn/tasks/multihead_trials.h"
#include "attn/train/metric_row.h"

namespace attn::tasks {

inline constexpr double kAttendingLevel = 0.5;

struct TrialHeads {
  Combination combination = Combination::kBad;
  int64_t trial = 0;
  int64_t good_slot = -1;              ///< the good head's slot (bad+good), else -1
  std::vector<HeadSource> sources;     ///< per head, from the trial's plan
  double level = kAttendingLevel;      ///< the attention accuracy above which a head attends
  std::vector<double> final_acc;       ///< per head: attention accuracy at the last evaluation
  std::vector<int64_t> step_attending; ///< per head: first evaluation step above `level`, -1 never

  /// Heads whose final attention accuracy is above `level` (or above another level).
  int64_t attending_at_end() const { return attending_at_end(level); }
  int64_t attending_at_end(double other_level) const;
  /// The slots that passed the level first (several when they did at the same
  /// evaluation); empty when none did.
  std::vector<int64_t> first_attending() const;
};

/// Reads the per-head curves (head_metric_name(k), one per head of the plan)
/// from a trial's history; throws attn::Error naming the trial when a column
/// is missing.
TrialHeads read_trial_heads(const TrialPlan& plan, const std::vector<train::MetricRow>& history,
                            double level = kAttendingLevel);

/// Markdown: per combination, how many heads end attending; for bad+good,
/// whether the good head is first and how many bad heads follow.
/// Every trial must have been read at the same level.
std::string format_trial_heads(const std::vector<TrialHeads>& trials);

/// combination,trial,slot,source,final_attention_acc,step_attending: one row per head.
std::string trial_heads_csv(const std::vector<TrialHeads>& trials);

}  // namespace attn::tasks
