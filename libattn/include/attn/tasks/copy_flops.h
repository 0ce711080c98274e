// Floating-point operation counts of the copy models (multiply-add = 2), for
// the benchmark's GFLOP/s and fraction-of-peak figures.
//
// `nominal` counts the model as usually written (every embedding goes
// through W_ih); `executed` counts what libattn runs, where the input
// projection of each recurrent layer is applied to the embedding table once
// (see attn/nn/recurrent.h). A training step is counted as 3x the forward
// pass (backward = 2x forward), the usual convention.
#pragma once

#include "attn/tasks/copy_task.h"

namespace attn::tasks {

struct FlopCount {
  double nominal = 0;
  double executed = 0;
};

/// Forward pass over `batch` examples of the config's data.
FlopCount copy_forward_flops(const CopyExperimentConfig& config, int64_t batch);
/// One training step (forward + backward) on config.batch_size examples.
FlopCount copy_training_step_flops(const CopyExperimentConfig& config);
/// Forward pass plus the batched KTIW probe on `batch` examples.
FlopCount copy_probe_flops(const CopyExperimentConfig& config, int64_t batch);

}  // namespace attn::tasks
