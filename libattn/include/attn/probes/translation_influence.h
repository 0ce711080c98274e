// The gradient-influence probe Delta for translation (PAPER.md 3 and 4.1):
// every source embedding is multiplied by a scalar gate m_l = 1 and
//     Delta_{t,l} = d log p(o_t | o_<t, x) / d m_l
// for every target step t (o_t the gold piece). Positive: source piece l
// raises the gold output's probability. Pairs do not interact, so the
// gradient of the batch's summed log p(o_t) holds every pair's own row for
// step t: one forward per batch, then one backward per target step, each
// through what step t depends on (the readout at step t only; the encoder and
// decoder graph are shared and kept between the backward passes).
//
// Legend: B = pairs, S = source positions, T = target steps.
#pragma once

#include <torch/types.h>

#include <vector>

#include "attn/data/translation_batch.h"
#include "attn/nn/translation_model.h"

namespace attn::probes {

/// Delta (B, T, S) for one batch; NaN at padded target steps, 0 at padded
/// source positions. The model's parameters get no gradient; its train/eval
/// mode is left as it is (use eval mode).
torch::Tensor translation_influence(nn::TranslationModelImpl& model, const data::TranslationBatch& batch);

}  // namespace attn::probes
