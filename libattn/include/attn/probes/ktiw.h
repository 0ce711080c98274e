// The KTIW probe beta for seq2seq models (PAPER.md 3): for every target step
// t and source position l, the log-probability of the gold output o_t if
// attention were one-hot on l,
//     beta_{t,l} = log p(o_t | d_t, context = mean_k (P_k h_l + b_k)).
// Batched: one (B, T, S, V) readout per chunk of examples, never a loop over
// positions (tests/test_probes.cpp checks it against that loop).
//
// Legend: B = batch, T = target steps, S = source positions, V = vocabulary.
#pragma once

#include <torch/types.h>

#include "attn/nn/seq2seq.h"

namespace attn::probes {

/// beta (B, T, S) from a forward pass's decoder and encoder states and the
/// gold outputs `target_out` (B, T). Padded source positions get -inf.
/// `chunk`: examples per readout call; 8 keeps the (chunk, T, S, M) hidden
/// layer near cache size (faster than 32 here) and bounds memory.
torch::Tensor ktiw_beta(nn::Seq2SeqModel& model, const nn::Seq2SeqOutput& output,
                        const torch::Tensor& target_out, const torch::Tensor& source_mask = {},
                        int64_t chunk = 8);

}  // namespace attn::probes
