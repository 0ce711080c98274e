// The multi-head experiment of the paper's Section 5.2 (PAPER.md 2.4, 5
// "multihead"), end to end: the fixed base, head screening until enough good
// and bad heads are found, the combination trials (bad, bad+good, random),
// and the summary and figures. Every phase works in worker processes (or in
// this process, one unit after another), resumes from what is on disk, and a
// killed run loses at most the run in progress. The app attn-multihead is a
// thin CLI over this. Its pieces: multihead_config.h (config),
// multihead_model.h (base, heads, assembly), multihead_task.h (the task and
// its runs), head_screening.h, multihead_trials.h, trial_heads.h.
//
// Experiment folder: config.yaml, run.json, base.pt, screening/, heads/,
// trials/<combination>/trial_NNN/, summary.md, trials.csv, trial_heads.csv,
// screening.png, learning_curves.png, head_accuracy.png.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "attn/io/jobs.h"
#include "attn/tasks/head_screening.h"
#include "attn/tasks/multihead_config.h"
#include "attn/tasks/multihead_model.h"
#include "attn/tasks/multihead_task.h"
#include "attn/tasks/multihead_trials.h"
#include "attn/train/recorded_run.h"

namespace attn::tasks {

/// How the phases run: the job plan, the context of each run (at
/// plan.threads_per_job threads), and the arguments of a worker process of
/// this program given the worker's own flags (e.g. {"--screening-worker", "0"}).
struct MultiheadLaunch {
  io::JobPlan plan;
  train::RunContext context;
  std::function<std::vector<std::string>(const std::vector<std::string>& worker_flags)> worker_arguments;
  std::string program = "attn-multihead";
  /// Screened draws, or trials, trained as one batched model per process
  /// (--batch-runs; issue 17 point 4).
  int64_t batch_runs = 1;
};

/// The launcher flag of several trials: "bad:3,bad+good:3", and back (errors
/// name --only-trial).
std::string trial_ids(const std::vector<TrialPlan>& plans);
std::vector<std::pair<Combination, int64_t>> parse_trial_ids(const std::string& ids);

/// The launcher flag of one trial: "bad+good:7", and back (errors name --only-trial).
std::string trial_id(Combination combination, int64_t trial);
std::pair<Combination, int64_t> parse_trial_id(const std::string& id);

/// Runs (or resumes) the whole experiment in `out_dir`, whose config.yaml and
/// run.json the caller has written, then writes the summary.
void run_multihead_experiment(const MultiheadExperimentConfig& config, const std::filesystem::path& out_dir,
                              const MultiheadLaunch& launch);

/// The units a launcher such as Slurm runs, each as its own process: screening
/// workers (0 when screening is complete) and the ids of the unfinished trials.
struct MultiheadUnits {
  int64_t screening_workers = 0;
  std::vector<std::string> trials;  ///< trial_id()s, interleaved by trial index
};

/// Prepares `out_dir` (whose config.yaml and run.json the caller has written)
/// for units started by a launcher: makes the fixed base, clears the claims of
/// a stopped screening session (no unit of the experiment may be running), and
/// lists what is unfinished, with `screening_workers` workers if screening is.
MultiheadUnits prepare_multihead_units(const MultiheadExperimentConfig& config, const std::filesystem::path& out_dir,
                                       int64_t screening_workers);

/// Summary (summary.md with screening, trials, heads and cost), trials.csv,
/// trial_heads.csv and the figures, from what is on disk, so they are the same
/// after a resume; prints the summary. Trials not finished yet are left out:
/// with `seconds` unset this is a report on an experiment that may still run,
/// and the last line says how far it got; otherwise it gives the invocation's
/// wall time.
void write_multihead_summary(const MultiheadExperimentConfig& config, const std::filesystem::path& out_dir,
                             std::optional<double> seconds);

}  // namespace attn::tasks
