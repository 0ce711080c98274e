// The multi-head copy task and its recorded runs (see attn/tasks/multihead_task.h).
#include "attn/tasks/multihead_task.h"

#include <fmt/format.h>

#include "attn/metrics/copy_accuracy.h"
#include "attn/tasks/batched_copy.h"
#include "attn/train/batched_trainer.h"
#include "attn/train/recorded_run.h"

namespace attn::tasks {

namespace fs = std::filesystem;

std::string head_metric_name(int64_t head) { return fmt::format("head{}_attention_acc", head); }

MultiheadCopyTask::MultiheadCopyTask(const CopyExperimentConfig& config, int64_t seed, const torch::Device& device,
                                     std::shared_ptr<nn::Seq2SeqModel> model, bool with_ktiw)
    : CopyTask(config, seed, device, std::move(model)), with_ktiw_(with_ktiw) {}

train::MetricRow MultiheadCopyTask::evaluate(int64_t step) {
  // CopyTask's metrics (same names and definitions) from one forward pass,
  // plus the per-head accuracies that need the same pass.
  auto eval = run_evaluation(step, with_ktiw_);
  const auto& batch = eval.batch;
  train::MetricRow row;
  row.set("eval_loss", metrics::mean_nll(eval.log_probs, batch.target_out));
  row.set("token_acc", metrics::token_accuracy(eval.log_probs, batch.target_out));
  row.set("attention_acc", metrics::alignment_accuracy(eval.attention, batch.gold_alignment));
  if (with_ktiw_) row.set("ktiw_acc", metrics::alignment_accuracy(eval.beta, batch.gold_alignment));
  const int64_t H = eval.head_attention.size(1);  // (B, H, T, S)
  for (int64_t k = 0; k < H; ++k)
    row.set(head_metric_name(k), metrics::alignment_accuracy(eval.head_attention.select(1, k), batch.gold_alignment));
  return row;
}

std::vector<std::string> MultiheadCopyTask::progress_metrics() const {
  if (with_ktiw_) return {"token_acc", "attention_acc", "ktiw_acc"};
  return {"token_acc", "attention_acc"};
}

namespace {
train::RecordedRun multihead_recorded_run(const CopyExperimentConfig& config, const MultiheadRun& spec) {
  train::RecordedRun run;
  run.dir = spec.dir;
  run.config_yaml = config.resolved_yaml;
  run.experiment = config.name;
  run.seed = spec.seed;
  run.trainer = config.train.trainer;
  run.trainer.label(spec.label).stop_when(spec.stop_when);
  run.keep_checkpoint = false;  // hundreds of runs: the metrics are what is kept
  return run;
}
}  // namespace

std::vector<std::vector<train::MetricRow>> train_multihead_runs(const CopyExperimentConfig& config,
                                                                const std::vector<MultiheadRun>& runs, bool with_ktiw,
                                                                const train::RunContext& context) {
  std::vector<std::vector<train::MetricRow>> histories;
  if (runs.size() == 1) {
    const auto& r = runs[0];
    histories.push_back(train_multihead_run(config, r.seed, r.make_model, with_ktiw, r.dir, r.label, context, r.stop_when));
    return histories;
  }
  std::vector<train::RecordedRun> recorded;
  for (const auto& r : runs) recorded.push_back(multihead_recorded_run(config, r));
  auto results = train::run_recorded_batched(recorded, context, [&](const std::vector<size_t>& pending) {
    train::BatchedTasks batch;
    std::vector<CopyTask*> tasks;
    for (auto i : pending) {
      auto task = std::make_unique<MultiheadCopyTask>(config, runs[i].seed, context.device, runs[i].make_model(), with_ktiw);
      tasks.push_back(task.get());
      batch.tasks.push_back(std::move(task));
    }
    batch.loss = batched_copy_loss(std::move(tasks));
    return batch;
  });
  for (auto& result : results) histories.push_back(std::move(result.history));
  return histories;
}

std::vector<train::MetricRow> train_multihead_run(const CopyExperimentConfig& config, int64_t seed,
                                                  const std::function<std::shared_ptr<nn::Seq2SeqModel>()>& make_model,
                                                  bool with_ktiw, const fs::path& run_dir, const std::string& label,
                                                  const train::RunContext& context,
                                                  std::function<bool(const train::MetricRow&)> stop_when) {
  const auto run = multihead_recorded_run(config, {seed, make_model, run_dir, label, std::move(stop_when)});
  return train::run_recorded(
             run, context,
             [&] { return std::make_unique<MultiheadCopyTask>(config, seed, context.device, make_model(), with_ktiw); })
      .history;
}

}  // namespace attn::tasks
