// The gradient-influence probe Delta of PAPER.md section 3 for the attention
// classifier: every input embedding is multiplied by a scalar gate m_l = 1 and
//     Delta_l = d log p(y_gold | x) / d m_l,
// so a positive Delta means the token raises the gold label's probability.
// Batched: one forward and one backward per chunk of examples (examples do
// not interact, so the gradient of the summed log-probabilities holds every
// example's own gradient). tests/test_classifier.cpp checks it against finite
// differences in double precision.
//
// Legend: B = batch, L = positions, N = examples.
#pragma once

#include <torch/types.h>

#include <vector>

#include "attn/data/text_batch.h"
#include "attn/nn/attention_classifier.h"

namespace attn::probes {

/// Delta (B, L) for one padded batch (0 at padding). The model's parameters
/// get no gradient; its train/eval mode is left as it is (use eval mode).
torch::Tensor gradient_influence(nn::AttentionClassifierImpl& model, const data::TextBatch& batch);

/// Delta (N, L) for many examples, in length-sorted chunks (model in eval mode
/// during the call), rows in input order.
torch::Tensor gradient_influence(nn::AttentionClassifierImpl& model,
                                 const std::vector<data::EncodedExample>& examples, int64_t chunk = 64);

}  // namespace attn::probes
