// Decoding for the translation model (PAPER.md 2.2, as the authors decode):
// beam search batched over sentences and beams, and greedy decoding.
//
// Beam search: every sentence starts from the single hypothesis <s>; each step
// extends every live hypothesis by every token and keeps the `beam` best
// candidates per sentence by the plain sum of log-probabilities. A hypothesis
// whose last token is </s> (or padding) has ended: its score is frozen and it
// stays in the beam as one candidate, competing with the live ones. Decoding
// stops when every hypothesis of the batch has ended or after max_length - 1
// generated tokens (max_length counts <s>). The output is each sentence's
// best hypothesis by summed log-probability, or, with a length penalty
// alpha > 0, by score / ((5 + n) / 6)^alpha (GNMT's, applied to the final
// choice only; n = generated tokens). Ties go to the earlier hypothesis.
//
// Legend: B = sentences, K = beam, V = vocabulary, S = source positions.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "attn/nn/translation_model.h"

namespace attn::nn {

struct DecodingOptions {
  TORCH_ARG(int64_t, beam) = 5;
  /// Longest output counting <s>: at most max_length - 1 generated tokens.
  TORCH_ARG(int64_t, max_length) = 100;
  TORCH_ARG(int64_t, bos_id) = 1;
  TORCH_ARG(int64_t, eos_id) = 2;
  TORCH_ARG(int64_t, pad_id) = 0;
  /// 0 = rank by the plain sum (the authors); > 0 = GNMT length penalty.
  TORCH_ARG(double, length_penalty) = 0.0;
};

struct Hypothesis {
  std::vector<int64_t> tokens;  ///< generated ids, without <s>; </s> kept when it ended
  double score = 0;             ///< summed log-probability
  bool ended = false;           ///< ended by </s> or padding (else cut at max_length)
};

/// The best hypothesis of each sentence of source (B, S) / source_mask (B, S).
/// Runs without gradient; the caller puts the model in eval mode.
std::vector<Hypothesis> beam_search(TranslationModelImpl& model, const torch::Tensor& source,
                                    const torch::Tensor& source_mask, const DecodingOptions& options = {});

/// Greedy decoding: the most probable token at every step (equals beam 1).
std::vector<Hypothesis> greedy_decode(TranslationModelImpl& model, const torch::Tensor& source,
                                      const torch::Tensor& source_mask, const DecodingOptions& options = {});

/// A hypothesis's pieces without the </s> or padding that ended it.
std::vector<int64_t> output_ids(const Hypothesis& hypothesis, const DecodingOptions& options = {});

}  // namespace attn::nn
