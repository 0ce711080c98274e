// The TrainingTask of the classification experiment (PAPER.md sections 2.3
// and 3): trains one run of the attention classifier with the two-stage
// trainer (normal: uniform_steps = 0; uniform: attention frozen uniform
// throughout). Its config is classification_config.h, its examples
// classification_data.h.
#pragma once

#include <string>
#include <vector>

#include "attn/nn/attention_classifier.h"
#include "attn/tasks/classification_config.h"
#include "attn/tasks/classification_data.h"
#include "attn/train/training_task.h"

namespace attn::tasks {

/// One run of the attention classifier: initialised from `seed`, batches from
/// an epoch-wise shuffle seeded by `seed` (a function of the step, so a
/// resumed run replays exactly).
class ClassificationTask : public train::TrainingTask {
 public:
  ClassificationTask(const ClassificationConfig& config, const ClassificationData& data, int64_t seed,
                     const torch::Device& device);

  torch::nn::Module& model() override { return *model_; }
  void begin_stage(train::Stage stage) override { model_->set_uniform(stage == train::Stage::kUniform); }
  torch::Tensor training_loss(int64_t step) override;
  train::MetricRow evaluate(int64_t step) override;
  std::vector<std::string> progress_metrics() const override { return {"val_loss", "val_acc"}; }

  nn::AttentionClassifierImpl& classifier() { return *model_; }
  /// Training example indices of the batch of `step`.
  std::vector<int64_t> batch_indices(int64_t step) const;
  /// Steps in one epoch: full batches of batch_size (or one batch of every
  /// example when there are fewer); the last incomplete batch is dropped.
  int64_t steps_per_epoch() const;

 private:
  const ClassificationConfig& config_;
  const ClassificationData& data_;
  int64_t seed_;
  torch::Device device_;
  nn::AttentionClassifier model_{nullptr};
};

}  // namespace attn::tasks
