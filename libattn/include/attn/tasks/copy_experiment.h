// Running the copy experiment: the runs of one or more configs (one per
// seed) in an experiment folder, each trained through the one recorded-run
// path (attn/train/recorded_run.h), and the summary of issue 2 read back
// from disk. The app attn-copy is a thin CLI over these.
//
//   <out>/<name>/config.yaml        the resolved config of every seed below
//   <out>/<name>/seed_NN/           one recorded run
//   <out>/summary.md, summary.csv, learning_curves.png (+ .gp, data)
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "attn/tasks/copy_task.h"
#include "attn/train/recorded_run.h"

namespace attn::tasks {

/// Final token accuracy at or above which a copy run counts as a success
/// (issue 2; PAPER.md 5 "copy").
inline constexpr double kCopySuccessAccuracy = 0.95;
/// The attention and KTIW accuracy levels whose first crossing the summary
/// reports: the paper predicts KTIW passes it before attention does.
inline constexpr double kAlignmentLevel = 0.5;

/// Trains `seed` of `config` into `run_dir` (resuming it when `resume`).
/// Refuses a folder that holds a run of a different config, or any run
/// unless `resume`.
train::TrainingResult run_copy_seed(const CopyExperimentConfig& config, int64_t seed,
                                    const std::filesystem::path& run_dir, const train::RunContext& context,
                                    bool resume);

/// The recorded run (folder, config, label, resume) of `seed`: what
/// run_copy_seed trains, alone or batched (batched_copy.h).
train::RecordedRun copy_recorded_run(const CopyExperimentConfig& config, int64_t seed,
                                     const std::filesystem::path& run_dir, bool resume);

/// The folder of one seed inside an experiment folder: <dir>/seed_<NN>.
std::filesystem::path seed_directory(const std::filesystem::path& experiment_dir, int64_t seed);

/// One run of a set of copy configs.
struct CopySeedRun {
  size_t config = 0;  ///< index into the configs
  int64_t seed = 0;
  std::filesystem::path dir;
};

/// Every (config, seed) run of `configs` under `out_dir`, config by config.
std::vector<CopySeedRun> copy_seed_runs(const std::vector<CopyExperimentConfig>& configs,
                                        const std::filesystem::path& out_dir);

/// "<config name>/seed_<NN>": the name of a run (its folder under the
/// experiment folder), as --only-run takes it.
std::string copy_run_name(const std::vector<CopyExperimentConfig>& configs, const CopySeedRun& run);

/// The run of `configs` named `name` (copy_run_name); throws attn::Error
/// "--only-run: ..." listing the names when there is none.
CopySeedRun find_copy_run(const std::vector<CopyExperimentConfig>& configs, const std::filesystem::path& out_dir,
                          const std::string& name);

/// Checks that the configs' names differ, refuses config folders of `out_dir`
/// made by other configs (or any, unless `resume`), and writes each config's
/// config.yaml (what its worker processes read).
void prepare_copy_folders(const std::vector<CopyExperimentConfig>& configs, const std::filesystem::path& out_dir,
                          bool resume);

/// "runs/copy-<name>+<name>": the default --out.
std::filesystem::path default_copy_folder(const std::vector<CopyExperimentConfig>& configs);

/// Per-seed outcome read off a finished history (issue 2's summary line).
struct CopySeedSummary {
  int64_t seed = 0;
  double token_acc = 0, attention_acc = 0, ktiw_acc = 0, eval_loss = 0;
  int64_t step_to_95 = -1;  ///< first evaluated step with token_acc >= kCopySuccessAccuracy, -1 never
  /// First evaluated steps with KTIW / attention accuracy >= kAlignmentLevel (-1 never).
  int64_t ktiw_step_to_50 = -1, attention_step_to_50 = -1;
  bool success() const { return token_acc >= kCopySuccessAccuracy; }
};

CopySeedSummary summarize_copy_history(int64_t seed, const std::vector<train::MetricRow>& history);

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

/// Reads every run of `configs` back from `out_dir` and writes summary.md
/// (with the Cost section over every invocation), summary.csv and the
/// learning-curve figure; prints the table.
void write_copy_summary(const std::vector<CopyExperimentConfig>& configs,
                               const std::filesystem::path& out_dir);

}  // namespace attn::tasks
