// Copy-task runs as one batched model (see attn/tasks/batched_copy.h).
#include "attn/tasks/batched_copy.h"

#include <map>
#include <utility>

#include "attn/core/error.h"
#include "attn/nn/batched_copy_models.h"
#include "attn/tasks/copy_experiment.h"

namespace attn::tasks {

train::BatchedLoss batched_copy_loss(std::vector<CopyTask*> tasks) {
  return [tasks = std::move(tasks)](const std::vector<size_t>& members, const std::vector<int64_t>& steps) {
    std::vector<data::CopyBatch> batches;
    // Members whose batches stack: same (B, S, T). One group in every
    // experiment but a curriculum resumed with its runs in different stages.
    std::map<std::vector<int64_t>, std::vector<size_t>> groups;
    for (size_t k = 0; k < members.size(); ++k) {
      batches.push_back(tasks.at(members[k])->training_batch(steps[k]));
      const auto& b = batches.back();
      groups[{b.source.size(0), b.source.size(1), b.target_in.size(1)}].push_back(k);
    }
    std::vector<torch::Tensor> losses(members.size());
    for (const auto& [shape, ks] : groups) {
      std::vector<nn::Seq2SeqModel*> models;
      std::vector<torch::Tensor> source, mask, target_in, target_out;
      for (auto k : ks) {
        models.push_back(&tasks[members[k]]->seq2seq());
        source.push_back(batches[k].source);
        mask.push_back(batches[k].source_mask);
        target_in.push_back(batches[k].target_in);
        target_out.push_back(batches[k].target_out);
      }
      auto out = nn::batched_copy_forward(models, torch::stack(source), torch::stack(mask), torch::stack(target_in));
      auto per_run = nn::per_run_nll(out.log_probs, torch::stack(target_out));  // (n)
      for (size_t j = 0; j < ks.size(); ++j) losses[ks[j]] = per_run[static_cast<int64_t>(j)];
    }
    return torch::stack(losses);  // (members)
  };
}

std::vector<train::TrainingResult> run_copy_seeds_batched(const CopyExperimentConfig& config,
                                                          const std::vector<int64_t>& seeds,
                                                          const std::vector<std::filesystem::path>& dirs,
                                                          const train::RunContext& context, bool resume) {
  check(seeds.size() == dirs.size(), "run_copy_seeds_batched: {} seeds but {} folders", seeds.size(), dirs.size());
  std::vector<train::RecordedRun> runs;
  for (size_t i = 0; i < seeds.size(); ++i) runs.push_back(copy_recorded_run(config, seeds[i], dirs[i], resume));
  return train::run_recorded_batched(runs, context, [&](const std::vector<size_t>& pending) {
    train::BatchedTasks batch;
    std::vector<CopyTask*> tasks;
    for (auto i : pending) {
      // Built one after another, each on its own seed: the same initial
      // parameters as the run trained alone.
      auto task = std::make_unique<CopyTask>(config, seeds[i], context.device);
      tasks.push_back(task.get());
      batch.tasks.push_back(std::move(task));
    }
    batch.loss = batched_copy_loss(std::move(tasks));
    return batch;
  });
}

std::vector<std::vector<CopySeedRun>> batch_copy_runs(const std::vector<CopySeedRun>& runs, int64_t batch_runs) {
  check(batch_runs >= 1, "--batch-runs: expected at least 1 run per process, got {}", batch_runs);
  std::map<size_t, std::vector<CopySeedRun>> by_config;
  for (const auto& run : runs) by_config[run.config].push_back(run);
  std::vector<std::vector<CopySeedRun>> units;
  for (const auto& [config, list] : by_config)
    for (const auto& set : train::batch_sets(list.size(), batch_runs)) {
      units.emplace_back();
      for (auto i : set) units.back().push_back(list[i]);
    }
  return units;
}

int64_t default_batch_runs(bool cuda, size_t pending) {
  if (!cuda) return 1;
  return std::max<int64_t>(1, std::min<int64_t>(kMaxBatchRuns, static_cast<int64_t>(pending)));
}

}  // namespace attn::tasks
