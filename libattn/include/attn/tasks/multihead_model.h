// The pieces every multi-head run is built from (paper Section 5.2): the
// fixed base of non-attention weights that every run shares, random single
// heads, and the assembly of a model from the base and a list of heads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "attn/nn/attention.h"
#include "attn/nn/copy_models.h"

namespace attn::tasks {

/// A module holding every child of `model` except its attention (the same
/// submodules, not copies): what the fixed base saves and loads.
std::shared_ptr<torch::nn::Module> non_attention_view(nn::Seq2SeqModel& model);

/// Initialises a model of `options` from torch seed `seed` and saves its
/// non-attention weights to `path` (save_weights format).
void make_fixed_base(const nn::CopyModelOptions& options, int64_t seed, const std::filesystem::path& path);

/// One random head with the model's default attention initialisation, drawn
/// from torch seed `seed`: a 1-head Attention module shaped for `options`.
nn::Attention draw_head(const nn::CopyModelOptions& options, int64_t seed);

/// Saves / loads one head (its attention weights only; shapes checked on load).
void save_head(const std::filesystem::path& path, nn::AttentionImpl& head);
nn::Attention load_head(const nn::CopyModelOptions& options, const std::filesystem::path& path);

/// The model of a run: `options` with heads.size() heads, non-attention
/// weights read from `base_path`, head k copied from heads[k] (head 0 of it).
std::shared_ptr<nn::Seq2SeqModel> assemble_model(const nn::CopyModelOptions& options,
                                                  const std::filesystem::path& base_path,
                                                  const std::vector<nn::Attention>& heads);

/// The fixed base inside an experiment folder: <dir>/base.pt.
std::filesystem::path fixed_base_path(const std::filesystem::path& experiment_dir);

}  // namespace attn::tasks
