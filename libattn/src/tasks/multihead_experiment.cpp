// The multi-head experiment end to end (see attn/tasks/multihead_experiment.h).
#include "attn/tasks/multihead_experiment.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <sstream>

#include "attn/core/error.h"
#include "attn/io/files.h"
#include "attn/io/run_cost.h"
#include "attn/io/run_record.h"
#include "attn/plot/multihead_figures.h"
#include "attn/tasks/trial_heads.h"
#include "attn/train/batched_trainer.h"
#include "core/stopwatch.h"

namespace attn::tasks {

namespace fs = std::filesystem;

std::string trial_id(Combination combination, int64_t trial) {
  return fmt::format("{}:{}", combination_name(combination), trial);
}

std::pair<Combination, int64_t> parse_trial_id(const std::string& id) {
  const auto colon = id.rfind(':');
  check(colon != std::string::npos, "--only-trial: expected <combination>:<index>, got '{}'", id);
  const std::string name = id.substr(0, colon);
  for (auto c : {Combination::kBad, Combination::kBadPlusGood, Combination::kRandom})
    if (combination_name(c) == name) {
      try {
        return {c, std::stoll(id.substr(colon + 1))};
      } catch (const std::exception&) {
        break;
      }
    }
  throw Error(fmt::format("--only-trial: expected <combination>:<index>, got '{}'", id));
}

namespace {

std::vector<plot::ScreenedDraw> screened_draws(const std::vector<HeadResult>& results) {
  std::vector<plot::ScreenedDraw> draws;
  for (const auto& r : results)
    draws.push_back({r.draw, head_class_name(r.head_class), r.runs.empty() ? 0.0 : r.runs.front().final_acc});
  return draws;
}

int64_t trial_total(const MultiheadExperimentConfig& config) {
  return config.trials.count * static_cast<int64_t>(config.trials.combinations.size());
}

// Over all the invocations that made the experiment, resumes included.
std::string cost_section(const fs::path& out_dir) {
  return "## Cost\n\n" +
         io::format_run_costs({{"screening", io::read_run_spans(out_dir / "screening")},
                               {"trials", io::read_run_spans(out_dir / "trials")}}) +
         "\n";
}

}  // namespace

void write_multihead_summary(const MultiheadExperimentConfig& config, const fs::path& out_dir,
                             std::optional<double> seconds) {
  const auto screened = read_screening_results(out_dir);
  const auto tally = tally_screening(screened, config.screening);
  std::vector<CombinationSummary> summaries;
  std::vector<plot::CombinationCurves> curves;
  std::vector<plot::HeadAccuracyPanel> panels;
  std::vector<TrialHeads> trial_heads;
  int64_t finished = 0;
  for (auto c : config.trials.combinations) {
    CombinationSummary summary{c, {}};
    plot::CombinationCurves curve{combination_name(c), {}};
    for (int64_t i = 0; i < config.trials.count; ++i) {
      const fs::path dir = trial_directory(out_dir, c, i);
      if (!io::run_done(dir)) continue;
      auto history = train::read_history(dir);
      summary.trials.push_back(summarize_trial(i, history, config.screening.good_threshold));
      const auto plan = plan_trial(config, c, i);
      trial_heads.push_back(read_trial_heads(plan, history));
      if (c == Combination::kBadPlusGood && panels.size() < 4) {
        panels.push_back(
            {fmt::format("bad+good trial {} (good head in slot {})", i, plan.good_slot), history, plan.good_slot});
      }
      curve.histories.push_back(std::move(history));
    }
    if (summary.trials.empty()) continue;
    finished += static_cast<int64_t>(summary.trials.size());
    summaries.push_back(std::move(summary));
    curves.push_back(std::move(curve));
  }
  const bool all_done = tally.draws_needed >= 0 && finished == trial_total(config);
  const std::string closing =
      seconds ? fmt::format("Wall time of this invocation: {:.0f} s.", *seconds)
              : fmt::format("Report of {} (attn-multihead --report): screening {}, {} of {} trials finished{}.",
                            out_dir.string(), tally.draws_needed >= 0 ? "complete" : "in progress", finished,
                            trial_total(config), all_done ? "" : "; the experiment resumes with --resume");
  std::string text = fmt::format(
      "# attn-multihead summary: {}\n\n## Screening (single heads on the fixed base)\n\n{}\n"
      "![screening](screening.png)\n\n## Trials\n\n{}\n{}{}\n",
      config.copy.name, format_screening(tally, config.screening),
      summaries.empty() ? std::string("No trial has finished yet.\n") : format_trials(summaries, config),
      trial_heads.empty() ? std::string() : "## Heads\n\n" + format_trial_heads(trial_heads) + "\n",
      cost_section(out_dir) + closing);
  fmt::print("{}\n", text);
  io::write_file_atomic(out_dir / "summary.md", text);
  io::write_file_atomic(out_dir / "trials.csv", trials_csv(summaries, config));
  io::write_file_atomic(out_dir / "trial_heads.csv", trial_heads_csv(trial_heads));
  auto announce = [](bool rendered, const fs::path& png) {
    if (rendered) fmt::print("figure: {}\n", png.string());
  };
  const auto& s = config.screening;
  announce(plot::render_screening(out_dir / "screening.png", screened_draws(screened), s.good_threshold,
                                  s.bad_threshold, s.good, s.bad),
           out_dir / "screening.png");
  if (!curves.empty())
    announce(plot::render_combination_curves(out_dir / "learning_curves.png", curves, s.good_threshold),
             out_dir / "learning_curves.png");
  if (!panels.empty())
    announce(plot::render_head_accuracy(out_dir / "head_accuracy.png", panels), out_dir / "head_accuracy.png");
}

std::string trial_ids(const std::vector<TrialPlan>& plans) {
  std::vector<std::string> ids;
  for (const auto& plan : plans) ids.push_back(trial_id(plan.combination, plan.trial));
  return fmt::format("{}", fmt::join(ids, ","));
}

std::vector<std::pair<Combination, int64_t>> parse_trial_ids(const std::string& ids) {
  std::vector<std::pair<Combination, int64_t>> out;
  std::stringstream list(ids);
  for (std::string id; std::getline(list, id, ',');) out.push_back(parse_trial_id(id));
  check(!out.empty(), "--only-trial: expected <combination>:<index>[,...], got '{}'", ids);
  return out;
}

void run_multihead_experiment(const MultiheadExperimentConfig& config, const fs::path& out_dir,
                              const MultiheadLaunch& launch) {
  const auto start = std::chrono::steady_clock::now();
  const auto& context = launch.context;
  // 1. The fixed base: every run of the experiment starts from these weights.
  const fs::path base = fixed_base_path(out_dir);
  if (!fs::exists(base)) make_fixed_base(config.copy.model, config.base_seed, base);

  // 2. Screening: each worker takes the lowest draw not finished or claimed.
  // It is done when the draws 0..n-1, all finished, hold the quotas: a killed
  // run may have finished later draws and not earlier ones.
  const int jobs = launch.plan.jobs;
  if (tally_screening(read_screening_results(out_dir), config.screening).draws_needed < 0) {
    reset_screening_claims(out_dir);  // a killed session's claims are void
    io::JobSet workers;
    workers.units = static_cast<size_t>(jobs);
    workers.in_process = [&](size_t k) {
      run_screening_worker(config, out_dir, context, static_cast<int64_t>(k), launch.batch_runs);
    };
    workers.worker_arguments = [&](size_t k) {
      return launch.worker_arguments(
          {"--screening-worker", std::to_string(k), "--batch-runs", std::to_string(launch.batch_runs)});
    };
    workers.name = [&](size_t k) { return fmt::format("{}: screening worker {}", out_dir.string(), k); };
    io::run_jobs(workers, launch.plan, launch.program);
  }
  const auto tally = finish_screening(config, out_dir);
  fmt::print(stderr, "[attn-multihead] screening: {} heads screened, {} good, {} bad, {} discarded, {} unverified\n",
             tally.screened, tally.good, tally.bad, tally.discarded, tally.unverified);

  // 3. The combination trials, one run each.
  std::vector<TrialPlan> plans;
  for (int64_t i = 0; i < config.trials.count; ++i)  // interleaved, so partial results cover every combination
    for (auto c : config.trials.combinations)
      if (!io::run_done(trial_directory(out_dir, c, i))) plans.push_back(plan_trial(config, c, i));
  // Trials take minutes each and all cost about the same, so the rate so far
  // gives the time left.
  const int64_t total = trial_total(config);
  const int64_t before = total - static_cast<int64_t>(plans.size());
  const auto trials_start = std::chrono::steady_clock::now();
  int64_t finished = 0;
  // Units of up to batch_runs trials, each trained as one batched model.
  std::vector<std::vector<TrialPlan>> units;
  for (const auto& set : train::batch_sets(plans.size(), launch.batch_runs)) {
    units.emplace_back();
    for (auto i : set) units.back().push_back(plans[i]);
  }
  io::JobSet trials;
  trials.units = units.size();
  trials.in_process = [&](size_t k) { run_trials(config, out_dir, units[k], context); };
  trials.worker_arguments = [&](size_t k) { return launch.worker_arguments({"--only-trial", trial_ids(units[k])}); };
  trials.name = [&](size_t k) {
    std::vector<std::string> dirs;
    for (const auto& plan : units[k]) dirs.push_back(trial_directory(out_dir, plan.combination, plan.trial).string());
    return fmt::format("{}", fmt::join(dirs, ", "));
  };
  trials.after_each = [&](size_t k) {
    finished += static_cast<int64_t>(units[k].size());
    const double elapsed = seconds_since(trials_start);
    const double left = elapsed / static_cast<double>(finished) * static_cast<double>(plans.size() - finished);
    fmt::print(
        stderr,
        "[attn-multihead] trials: {} of {} done ({:.1f} min per trial per worker, {} worker(s); ~{:.1f} h left)\n",
        before + finished, total, elapsed / 60.0 / static_cast<double>(finished) * jobs, jobs, left / 3600.0);
  };
  io::run_jobs(trials, launch.plan, launch.program);

  // 4. Summary and figures.
  const double seconds = seconds_since(start);
  write_multihead_summary(config, out_dir, seconds);
}

MultiheadUnits prepare_multihead_units(const MultiheadExperimentConfig& config, const fs::path& out_dir,
                                       int64_t screening_workers) {
  MultiheadUnits units;
  const fs::path base = fixed_base_path(out_dir);
  if (!fs::exists(base)) make_fixed_base(config.copy.model, config.base_seed, base);
  if (!fs::exists(out_dir / "screening" / "kept.csv") &&
      tally_screening(read_screening_results(out_dir), config.screening).draws_needed < 0) {
    reset_screening_claims(out_dir);  // a session that was stopped leaves claims no worker will resume
    units.screening_workers = screening_workers;
  }
  for (int64_t i = 0; i < config.trials.count; ++i)  // interleaved, as run_multihead_experiment does
    for (auto c : config.trials.combinations)
      if (!io::run_done(trial_directory(out_dir, c, i))) units.trials.push_back(trial_id(c, i));
  return units;
}

}  // namespace attn::tasks
