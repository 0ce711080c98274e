// Running the copy experiment: one seed into its own run folder (resumable),
// reading finished seeds back, and the summary table of issue 2. The app
// attn-copy is a thin CLI over these.
#pragma once

#include <c10/core/Device.h>

#include <filesystem>
#include <string>
#include <vector>

#include "attn/tasks/copy_task.h"

namespace attn::tasks {

struct SeedRunOptions {
  c10::Device device = c10::kCPU;
  int threads = 1;
  bool resume = false;
  bool progress = true;
  std::vector<std::string> command_line;
};

/// Trains `seed` of `config` into `run_dir` (config.yaml, run.json,
/// metrics.csv/.jsonl, checkpoint.pt, done marker). Refuses a folder that
/// holds a run of a different config, or any run unless `resume`.
train::TrainingResult run_copy_seed(const CopyExperimentConfig& config, int64_t seed,
                                    const std::filesystem::path& run_dir, const SeedRunOptions& options);

/// The folder of one seed inside an experiment folder: <dir>/seed_<NN>.
std::filesystem::path seed_directory(const std::filesystem::path& experiment_dir, int64_t seed);

/// True when the seed's run finished (metrics cover all steps).
bool seed_finished(const std::filesystem::path& run_dir);

/// Reads metrics.csv of a seed folder (throws attn::Error naming it).
std::vector<train::MetricRow> read_history(const std::filesystem::path& run_dir);

struct CopyExperimentSummary {
  std::string name;
  std::vector<CopySeedSummary> seeds;
  int64_t successes() const;
  double success_rate() const;
};

/// The per-seed and overall summary as a Markdown table (printed and saved).
std::string format_summary(const std::vector<CopyExperimentSummary>& experiments);
/// The same as CSV: experiment,seed,token_acc,attention_acc,ktiw_acc,step_to_95.
std::string summary_csv(const std::vector<CopyExperimentSummary>& experiments);

}  // namespace attn::tasks
