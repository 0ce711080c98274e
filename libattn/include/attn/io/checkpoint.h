// Checkpoints: model, optimiser, step, stage, metric history and RNG state in
// one LibTorch archive that starts with a magic string and a format version
// (checked on load, as llm.c does), written atomically (temp file + rename).
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <filesystem>
#include <string>
#include <vector>

#include "attn/train/metric_row.h"

namespace attn::io {

inline constexpr const char* kCheckpointMagic = "libattn-checkpoint";
inline constexpr int64_t kCheckpointFormat = 1;

struct TrainingState {
  int64_t step = 0;   ///< optimiser updates done
  int stage = 1;      ///< stage active at `step`
  std::vector<train::MetricRow> history;
};

/// Saves everything a resumed run needs. `optimizer` may be null (weights only).
void save_checkpoint(const std::filesystem::path& path, torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, const TrainingState& state);

/// Loads a checkpoint into `model` (and `optimizer` when given). Throws
/// attn::Error naming the file when it is missing, not a libattn checkpoint,
/// of another format version, or made for a model of different shape.
TrainingState load_checkpoint(const std::filesystem::path& path, torch::nn::Module& model,
                              torch::optim::Optimizer* optimizer);

/// Saves/loads only the weights (no optimiser, no history): initialisations
/// shared between runs and the snapshots that probes read.
void save_weights(const std::filesystem::path& path, torch::nn::Module& model);
void load_weights(const std::filesystem::path& path, torch::nn::Module& model);

/// Saves/loads one named tensor (same header, atomic write): data a process
/// hands to its worker processes, such as attn-analyze's gold attention.
void save_tensor(const std::filesystem::path& path, const std::string& name, const torch::Tensor& tensor);
torch::Tensor load_tensor(const std::filesystem::path& path, const std::string& name);

}  // namespace attn::io
