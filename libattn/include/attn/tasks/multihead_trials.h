// The combination trials of the multi-head experiment (paper Section 5.2,
// PAPER.md 5 "multihead"): H-head models built on the fixed base from
//   bad       H distinct kept bad heads,
//   bad+good  the same trial's first H-1 bad heads plus one kept good head in
//             a random slot (so trial i of "bad" and "bad+good" differ in one head),
//   random    H fresh random heads (never screened),
// each trained for train.steps on data seed trials.first_data_seed + i (the
// same for every combination), recording token accuracy and every head's
// attention accuracy. One trial = one resumable run folder:
//   trials/<combination>/trial_007/{heads.csv, metrics.csv, done, ...}
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "attn/tasks/multihead_config.h"
#include "attn/tasks/multihead_model.h"
#include "attn/tasks/multihead_task.h"
#include "attn/train/recorded_run.h"
#include "attn/train/metric_row.h"

namespace attn::tasks {

/// Where a head of a trial comes from.
enum class HeadSource {
  kGood,    ///< a kept good head (index = its rank among the kept good heads)
  kBad,     ///< a kept bad head (index = its rank among the kept bad heads)
  kRandom,  ///< a fresh random head (index = its torch seed)
};

/// "good", "bad", "random" (heads.csv, trial_heads.csv).
std::string head_source_name(HeadSource source);

/// One head of a trial.
struct TrialHead {
  HeadSource source = HeadSource::kBad;
  int64_t index = 0;
};

struct TrialPlan {
  Combination combination = Combination::kBad;
  int64_t trial = 0;
  int64_t data_seed = 0;
  std::vector<TrialHead> heads;
  int64_t good_slot = -1;  ///< head position of the good head (bad+good), else -1
};

/// The heads and data of trial `trial` of `combination`: a pure function of
/// the config (selection_seed) and the kept head counts.
TrialPlan plan_trial(const MultiheadExperimentConfig& config, Combination combination, int64_t trial);

std::filesystem::path trial_directory(const std::filesystem::path& experiment_dir, Combination combination,
                                      int64_t trial);

/// Trains one trial into its folder (resuming it; nothing to do when done)
/// and returns its history. Needs the kept heads (finish_screening).
std::vector<train::MetricRow> run_trial(const MultiheadExperimentConfig& config,
                                        const std::filesystem::path& experiment_dir, const TrialPlan& plan,
                                        const train::RunContext& context);

/// run_trial for several trials (of any combinations with the same head
/// count) trained as one batched model (issue 17 point 4); histories in order.
std::vector<std::vector<train::MetricRow>> run_trials(const MultiheadExperimentConfig& config,
                                                      const std::filesystem::path& experiment_dir,
                                                      const std::vector<TrialPlan>& plans,
                                                      const train::RunContext& context);

/// One trial's outcome read off its history.
struct TrialOutcome {
  int64_t trial = 0;
  double final_acc = 0;
  int64_t step_to_good = -1;  ///< first step with token acc > good_threshold, -1 never
  bool success() const { return step_to_good >= 0; }
};

TrialOutcome summarize_trial(int64_t trial, const std::vector<train::MetricRow>& history, double good_threshold);

/// The median of `values` (the mean of the middle two for an even count); NaN when empty.
double median_of(std::vector<double> values);

struct CombinationSummary {
  Combination combination = Combination::kBad;
  std::vector<TrialOutcome> trials;
  double success_rate() const;
  /// Median over all trials of the steps to reach the threshold, a trial
  /// that never does counting as infinitely slow; -1 when that median is "never".
  double median_steps() const;
  double mean_final_acc() const;
};

/// The trials table (Markdown) of the summary.
std::string format_trials(const std::vector<CombinationSummary>& summaries, const MultiheadExperimentConfig& config);
/// combination,trial,data_seed,final_acc,step_to_good,success
std::string trials_csv(const std::vector<CombinationSummary>& summaries, const MultiheadExperimentConfig& config);

}  // namespace attn::tasks
