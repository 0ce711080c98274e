// Accuracies of the copy experiment (PAPER.md 3, "KTIW accuracy"):
// token accuracy (teacher-forced argmax = gold), attention accuracy
// (argmax_l alpha_{t,l} = gold position) and KTIW accuracy (argmax_l
// beta_{t,l} = gold position), each a fraction of all target steps.
//
// Legend: B = batch, T = target steps, S = source positions, V = vocabulary.
#pragma once

#include <torch/types.h>

namespace attn::metrics {

/// Fraction of steps whose argmax over the vocabulary is the gold token.
/// log_probs (B, T, V), gold (B, T); `mask` (B, T) bool selects steps (optional).
double token_accuracy(const torch::Tensor& log_probs, const torch::Tensor& gold,
                      const torch::Tensor& mask = {});

/// Fraction of steps whose argmax over source positions is the gold position.
/// scores (B, T, S) (attention alpha or probe beta), gold_position (B, T).
/// Padded positions must already score lowest (alpha 0, beta -inf).
double alignment_accuracy(const torch::Tensor& scores, const torch::Tensor& gold_position,
                          const torch::Tensor& mask = {});

/// Mean negative log-likelihood of the gold tokens.
double mean_nll(const torch::Tensor& log_probs, const torch::Tensor& gold, const torch::Tensor& mask = {});

}  // namespace attn::metrics
