// The seam between the generic two-stage trainer and an experiment (fairseq's
// "task"): the task owns data, model and evaluation; the trainer owns the
// loop, the optimiser, the stage schedule, checkpoints and logs.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>

#include "attn/train/metric_row.h"
#include "attn/train/stage.h"

namespace attn::train {

class TrainingTask {
 public:
  virtual ~TrainingTask() = default;
  /// The model whose parameters the trainer optimises and checkpoints.
  virtual torch::nn::Module& model() = 0;
  /// Called before the first step of a stage and on resume.
  virtual void begin_stage(Stage stage) = 0;
  /// Training loss on the batch of `step`; the batch must be a function of
  /// the step (and the task's seed) so that a resumed run sees the same data.
  virtual torch::Tensor training_loss(int64_t step) = 0;
  /// Evaluation metrics. The trainer switches the model to eval mode around
  /// this call; gradients stay enabled for probes that need them (Delta).
  virtual MetricRow evaluate(int64_t step) = 0;
  /// Short metric names to show on the progress line (in order).
  virtual std::vector<std::string> progress_metrics() const { return {}; }
};

}  // namespace attn::train
