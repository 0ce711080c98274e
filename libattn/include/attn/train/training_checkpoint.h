// The training checkpoint: model, optimiser, step, stage, metric history and
// the CPU RNG state in one libattn archive (attn/io/checkpoint.h: magic
// string and format version checked on load, atomic write). A run resumed
// from it replays exactly (see two_stage_trainer.h).
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <filesystem>
#include <vector>

#include "attn/train/metric_row.h"
#include "attn/train/stage.h"

namespace attn::train {

struct TrainingState {
  int64_t step = 0;              ///< optimiser updates done
  Stage stage = Stage::kUniform; ///< stage active at `step`
  std::vector<MetricRow> history;
  double seconds = 0;             ///< training wall time so far, over all invocations
  double loss_sum = 0;            ///< running training loss since the last evaluation
  int64_t loss_count = 0;         ///< (non-zero only in a checkpoint taken on a signal)
};

/// Saves everything a resumed run needs. `optimizer` may be null (weights only).
void save_checkpoint(const std::filesystem::path& path, torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, const TrainingState& state);

/// Loads a checkpoint into `model` (and `optimizer` when given). Throws
/// attn::Error naming the file when it is missing, not a libattn checkpoint,
/// of another format version, or made for a model of different shape.
TrainingState load_checkpoint(const std::filesystem::path& path, torch::nn::Module& model,
                              torch::optim::Optimizer* optimizer);

/// Only the metric history a checkpoint holds (no model needed): how a
/// finished run whose metrics files were deleted gets them back.
std::vector<MetricRow> checkpoint_history(const std::filesystem::path& path);

}  // namespace attn::train
