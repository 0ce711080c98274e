// Floating-point operation counts of the translation model (multiply-add =
// 2) on one batch, for attn-bench's GFLOP/s and fraction-of-SGEMM figures.
//
// `padded` counts every position of the padded batch as a model written over
// padded tensors runs it (the authors' PyTorch code: packed encoder, decoder
// and output layer over the padded target); `real` counts only real tokens,
// as libattn runs the LSTMs, the input projections and the output layer
// (attention is computed over the padded (T, S) grid in both). A training
// step is 3x the forward pass (backward = 2x forward).
#pragma once

#include "attn/data/translation_batch.h"
#include "attn/nn/translation_model.h"

namespace attn::tasks {

struct TranslationFlops {
  double real = 0;
  double padded = 0;
};

/// Forward pass of `model` over `batch`.
TranslationFlops translation_forward_flops(const nn::TranslationModelOptions& model,
                                           const data::TranslationBatch& batch);
/// One training step (forward + backward).
TranslationFlops translation_step_flops(const nn::TranslationModelOptions& model,
                                        const data::TranslationBatch& batch);

}  // namespace attn::tasks
