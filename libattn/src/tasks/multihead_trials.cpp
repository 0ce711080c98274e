// Combination trials (see attn/tasks/multihead_trials.h).
#include "attn/tasks/multihead_trials.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <utility>

#include "attn/io/csv.h"
#include "attn/core/error.h"
#include "attn/core/seeded_random.h"
#include "attn/data/copy_data.h"
#include "attn/io/files.h"
#include "attn/tasks/head_screening.h"

namespace attn::tasks {

namespace fs = std::filesystem;

std::string head_source_name(HeadSource source) {
  switch (source) {
    case HeadSource::kGood: return "good";
    case HeadSource::kBad: return "bad";
    case HeadSource::kRandom: return "random";
  }
  return "?";
}

TrialPlan plan_trial(const MultiheadExperimentConfig& config, Combination combination, int64_t trial) {
  const auto& t = config.trials;
  check(trial >= 0 && trial < t.count, "trial {}: expected an index in [0, {})", trial, t.count);
  TrialPlan plan;
  plan.combination = combination;
  plan.trial = trial;
  plan.data_seed = t.first_data_seed + trial;
  // One stream per trial index, shared by the combinations, so that trial i
  // of "bad" and "bad+good" share their first H-1 bad heads.
  std::mt19937_64 rng(data::Rng::mix(static_cast<uint64_t>(t.selection_seed), static_cast<uint64_t>(trial)));
  std::vector<int64_t> bad(static_cast<size_t>(config.screening.bad));
  std::iota(bad.begin(), bad.end(), 0);
  shuffle_in_place(bad, rng);
  const int64_t good = config.screening.good > 0 ? uniform_int(rng, 0, config.screening.good - 1) : -1;
  const int64_t slot = uniform_int(rng, 0, t.heads - 1);
  std::vector<int64_t> fresh;
  for (int64_t k = 0; k < t.heads; ++k) fresh.push_back(static_cast<int64_t>(rng() >> 2));
  switch (combination) {
    case Combination::kBad:
      for (int64_t k = 0; k < t.heads; ++k) plan.heads.push_back({HeadSource::kBad, bad[k]});
      break;
    case Combination::kBadPlusGood:
      for (int64_t k = 0; k < t.heads - 1; ++k) plan.heads.push_back({HeadSource::kBad, bad[k]});
      plan.heads.insert(plan.heads.begin() + slot, TrialHead{HeadSource::kGood, good});
      plan.good_slot = slot;
      break;
    case Combination::kRandom:
      for (int64_t k = 0; k < t.heads; ++k) plan.heads.push_back({HeadSource::kRandom, fresh[k]});
      break;
  }
  return plan;
}

fs::path trial_directory(const fs::path& experiment_dir, Combination combination, int64_t trial) {
  return experiment_dir / "trials" / combination_name(combination) / fmt::format("trial_{:03d}", trial);
}

std::vector<train::MetricRow> run_trial(const MultiheadExperimentConfig& config, const fs::path& experiment_dir,
                                        const TrialPlan& plan, const train::RunContext& context) {
  return run_trials(config, experiment_dir, {plan}, context).at(0);
}

std::vector<std::vector<train::MetricRow>> run_trials(const MultiheadExperimentConfig& config,
                                                      const fs::path& experiment_dir,
                                                      const std::vector<TrialPlan>& plans,
                                                      const train::RunContext& context) {
  check(!plans.empty(), "run_trials: no trials");
  const auto copy = config.with_heads(static_cast<int64_t>(plans[0].heads.size()));
  std::vector<MultiheadRun> runs;
  for (const auto& plan : plans) {
    check(plan.heads.size() == plans[0].heads.size(), "run_trials: trials batched together need one head count");
    const fs::path dir = trial_directory(experiment_dir, plan.combination, plan.trial);
    auto make_model = [&copy, &experiment_dir, &plan] {
      std::vector<nn::Attention> heads;
      for (const auto& h : plan.heads) {
        if (h.source == HeadSource::kRandom) heads.push_back(draw_head(copy.model, h.index));
        else heads.push_back(load_head(copy.model, kept_head_path(experiment_dir, h.source == HeadSource::kGood ? HeadClass::kGood
                                                                                                     : HeadClass::kBad,
                                                                   h.index)));
      }
      return assemble_model(copy.model, fixed_base_path(experiment_dir), heads);
    };
    std::string heads_csv = "slot,source,index\n";
    for (size_t k = 0; k < plan.heads.size(); ++k)
      heads_csv += fmt::format("{},{},{}\n", k, io::csv_field(head_source_name(plan.heads[k].source)), plan.heads[k].index);
    io::ensure_directory(dir);
    io::write_file_atomic(dir / "heads.csv", heads_csv);
    runs.push_back({plan.data_seed, make_model, dir,
                    fmt::format("{} trial {}", combination_name(plan.combination), plan.trial), nullptr});
  }
  auto histories = train_multihead_runs(copy, runs, /*with_ktiw=*/false, context);
  for (size_t i = 0; i < plans.size(); ++i) {
    const auto& plan = plans[i];
    const auto outcome = summarize_trial(plan.trial, histories[i], config.screening.good_threshold);
    fmt::print(stderr, "[trials] {:<8} trial {:>3}: final token acc {:.3f}, > {} {}\n",
               combination_name(plan.combination), plan.trial, outcome.final_acc, config.screening.good_threshold,
               outcome.success() ? fmt::format("at step {}", outcome.step_to_good) : "never");
  }
  return histories;
}

TrialOutcome summarize_trial(int64_t trial, const std::vector<train::MetricRow>& history, double good_threshold) {
  check(!history.empty(), "trial {}: no evaluations recorded", trial);
  TrialOutcome o;
  o.trial = trial;
  o.final_acc = history.back().get("token_acc");
  for (const auto& row : history)
    if (row.get("token_acc") > good_threshold) {
      o.step_to_good = static_cast<int64_t>(row.get("step"));
      break;
    }
  return o;
}

double CombinationSummary::success_rate() const {
  if (trials.empty()) return 0;
  const auto n = std::count_if(trials.begin(), trials.end(), [](const auto& t) { return t.success(); });
  return static_cast<double>(n) / trials.size();
}

double median_of(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

double CombinationSummary::median_steps() const {
  if (trials.empty()) return -1;
  std::vector<double> steps;
  for (const auto& t : trials)
    steps.push_back(t.success() ? static_cast<double>(t.step_to_good) : std::numeric_limits<double>::infinity());
  const double median = median_of(std::move(steps));
  return std::isinf(median) ? -1 : median;
}

double CombinationSummary::mean_final_acc() const {
  if (trials.empty()) return 0;
  double sum = 0;
  for (const auto& t : trials) sum += t.final_acc;
  return sum / trials.size();
}

std::string format_trials(const std::vector<CombinationSummary>& summaries, const MultiheadExperimentConfig& config) {
  std::string out = fmt::format(
      "| combination ({} heads) | trials | success (token acc > {} within {} steps) | median steps to {} | "
      "mean final token acc |\n|---|---:|---:|---:|---:|\n",
      config.trials.heads, config.screening.good_threshold, config.copy.train.trainer.steps(),
      config.screening.good_threshold);
  for (const auto& s : summaries) {
    const double median = s.median_steps();
    const auto successes = std::count_if(s.trials.begin(), s.trials.end(), [](const auto& t) { return t.success(); });
    out += fmt::format("| {} | {} | {}/{} ({:.0f}%) | {} | {:.3f} |\n", combination_name(s.combination),
                       s.trials.size(), successes, s.trials.size(), 100.0 * s.success_rate(),
                       median < 0 ? std::string("never") : fmt::format("{:g}", median), s.mean_final_acc());
  }
  out += "\nMedian over all trials, a trial that never gets there counting as slowest (\"never\" when more than "
         "half never do).\n";
  return out;
}

std::string trials_csv(const std::vector<CombinationSummary>& summaries, const MultiheadExperimentConfig& config) {
  std::string out = "combination,trial,data_seed,final_acc,step_to_good,success\n";
  for (const auto& s : summaries)
    for (const auto& t : s.trials)
      out += fmt::format("{},{},{},{:.6f},{},{}\n", io::csv_field(combination_name(s.combination)), t.trial,
                         config.trials.first_data_seed + t.trial, t.final_acc, t.step_to_good, t.success() ? 1 : 0);
  return out;
}

}  // namespace attn::tasks
