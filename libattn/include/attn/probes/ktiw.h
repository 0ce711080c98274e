// The KTIW probe beta for seq2seq models (PAPER.md 3): for every target step
// t and source position l, the log-probability of the gold output o_t if
// attention were one-hot on l,
//     beta_{t,l} = log p(o_t | d_t, context = mean_k (P_k h_l + b_k)).
// Batched: every (t, l) pair of an example in one GEMM (Readout::
// pairwise_gold_log_probs), never a loop over positions (tests/test_probes.cpp checks it against that loop).
//
// Legend: B = batch, T = target steps, S = source positions, V = vocabulary.
#pragma once

#include <torch/types.h>

#include "attn/nn/seq2seq.h"

namespace attn::probes {

/// beta (B, T, S) from a forward pass's decoder and encoder states and the
/// gold outputs `target_out` (B, T). Padded source positions get -inf.
torch::Tensor ktiw_beta(nn::Seq2SeqModel& model, const nn::Seq2SeqOutput& output,
                        const torch::Tensor& target_out, const torch::Tensor& source_mask = {});

}  // namespace attn::probes
