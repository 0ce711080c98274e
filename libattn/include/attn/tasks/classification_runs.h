// The run set of the classification experiment (PAPER.md section 4,
// "checkpoint protocol"): normal runs A, B, ... (seeds 20, 13, 14, 15, 16, 17
// by default; A gives the gold attention) and one uniform-attention run
// (seed 12), each in its own folder under the run-set folder:
//   <out>/config.yaml           the resolved config every run was trained with
//   <out>/vocab.txt             the vocabulary (analysis reuses it exactly)
//   <out>/A-seed20/ ...         config.yaml, run.json, metrics.csv/.jsonl,
//   <out>/uniform-seed12/         checkpoint.pt, snapshots/step_N.pt, done
// attn-classify trains it (resumable, runs in worker processes); attn-analyze
// reads it. A folder made by a different config is refused with an error.
#pragma once

#include <c10/core/Device.h>

#include <filesystem>
#include <string>
#include <vector>

#include "attn/nn/attention_classifier.h"
#include "attn/tasks/classification_config.h"
#include "attn/tasks/classification_data.h"
#include "attn/train/recorded_run.h"
#include "attn/train/two_stage_trainer.h"

namespace attn::tasks {

struct ClassificationRun {
  std::string name;  ///< "A", "B", ... or "uniform"
  int64_t seed = 0;
  bool uniform = false;
  std::filesystem::path dir;
};

/// The runs of `config` in order: A, B, ... then uniform.
std::vector<ClassificationRun> classification_runs(const ClassificationConfig& config,
                                                   const std::filesystem::path& out_dir);

/// Finds a run by name ("A" or "uniform"); throws attn::Error naming
/// the choices. The run called `name`; throws attn::Error naming `flag` (the flag or field
/// the name came from) and the names there are.
const ClassificationRun& find_run(const std::vector<ClassificationRun>& runs, const std::string& name,
                                  const std::string& flag = "run");

/// True when two resolved configs (ClassificationConfig::resolved_yaml) train
/// the same runs: they agree on everything but the analysis-only `probes`
/// section. Such configs share a run set; checks below use this.
bool same_training(const std::string& resolved_a, const std::string& resolved_b);

/// Creates the run-set folder for `config`: writes config.yaml and vocab.txt
/// (building the vocabulary from the training data). An existing folder must
/// hold a config with the same training settings and is only reused with `resume`.
ClassificationData prepare_run_set(const ClassificationConfig& config, const std::filesystem::path& out_dir,
                                   bool resume);

/// Reads <out>/config.yaml, checks that every run folder in it was made by
/// that config, and returns it. With `expected`, its training settings must
/// equal the recorded ones and the returned config takes its `probes` (to
/// re-analyse a finished set differently). Errors name the folder and what differs.
ClassificationConfig read_run_set_config(const std::filesystem::path& out_dir,
                                         const ClassificationConfig* expected = nullptr);

/// The run set's data with its saved vocabulary.
ClassificationData load_run_set_data(const ClassificationConfig& config, const std::filesystem::path& out_dir);

/// Trains (or resumes) one run into run.dir through the recorded-run path
/// (its folder compared with same_training) and marks it done.
train::TrainingResult train_classification_run(const ClassificationConfig& config, const ClassificationData& data,
                                               const ClassificationRun& run, const train::RunContext& context);

/// cost.md: compute and active wall time of every run of the set, over every
/// invocation (resumes included), whatever --only trained this time.
void write_run_set_cost(const ClassificationConfig& config, const std::filesystem::path& out_dir);

/// True when the run finished (its done marker exists).
bool run_finished(const ClassificationRun& run);

/// The snapshot file of `run` at `step`; throws attn::Error naming it when absent.
std::filesystem::path snapshot_path(const ClassificationRun& run, int64_t step);

/// `run`'s classifier at snapshot `step` (uniform for the uniform run), in eval
/// mode on the CPU; the probes and the analysis read runs through it.
nn::AttentionClassifier load_snapshot(const ClassificationConfig& config, const ClassificationData& data,
                                      const ClassificationRun& run, int64_t step);

}  // namespace attn::tasks
