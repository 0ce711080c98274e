// The multi-head copy task (paper Section 5.2): the copy task plus every
// head's attention accuracy, and its recorded runs (screening and trials).
//
// Legend: B = batch, H = heads, T = target steps, S = source positions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attn/nn/seq2seq.h"
#include "attn/tasks/copy_task.h"
#include "attn/train/recorded_run.h"

namespace attn::tasks {

/// CopyTask plus head<k>_attention_acc (argmax_l alpha^k_{t,l} = gold
/// position) for every head k, on the same evaluation batch. With
/// `with_ktiw` false the KTIW probe is skipped (screening needs only token
/// accuracy); the other metric names are CopyTask's.
class MultiheadCopyTask : public CopyTask {
 public:
  MultiheadCopyTask(const CopyExperimentConfig& config, int64_t seed, const torch::Device& device,
                    std::shared_ptr<nn::Seq2SeqModel> model, bool with_ktiw);
  train::MetricRow evaluate(int64_t step) override;
  std::vector<std::string> progress_metrics() const override;

 private:
  bool with_ktiw_;
};

/// "head3_attention_acc".
std::string head_metric_name(int64_t head);

/// One multi-head run: what train_multihead_run takes besides the config.
struct MultiheadRun {
  int64_t seed = 0;  ///< data seed
  std::function<std::shared_ptr<nn::Seq2SeqModel>()> make_model;
  std::filesystem::path dir;
  std::string label;
  std::function<bool(const train::MetricRow&)> stop_when;  ///< may be empty
};

/// train_multihead_run for each of `runs`, all trained as one batched model
/// (issue 17 point 4, tasks/batched_copy.h) when there are several; the
/// histories in the order of `runs`. The run folders are those of runs
/// trained alone.
std::vector<std::vector<train::MetricRow>> train_multihead_runs(const CopyExperimentConfig& config,
                                                                const std::vector<MultiheadRun>& runs, bool with_ktiw,
                                                                const train::RunContext& context);

/// Trains make_model() on data seed `seed` of `config` with MultiheadCopyTask
/// into `run_dir` (config.yaml, run.json, metrics.csv/.jsonl, done marker), or
/// reads the history back without building the model when the run is done. A
/// run killed midway resumes from its last checkpoint; the checkpoint is
/// deleted once the run is done (hundreds of runs: the metrics are what is kept).
/// `stop_when`: see TrainerOptions::stop_when.
std::vector<train::MetricRow> train_multihead_run(const CopyExperimentConfig& config, int64_t seed,
                                                   const std::function<std::shared_ptr<nn::Seq2SeqModel>()>& make_model,
                                                   bool with_ktiw, const std::filesystem::path& run_dir,
                                                   const std::string& label, const train::RunContext& context,
                                                   std::function<bool(const train::MetricRow&)> stop_when = nullptr);

}  // namespace attn::tasks
