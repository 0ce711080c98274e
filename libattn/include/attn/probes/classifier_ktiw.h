// The KTIW probe beta for the attention classifier (PAPER.md section 3,
// classification): beta_l = w . h_l + b, the score position l would give if
// attention were one-hot on it, multiplied by (2y - 1) so that larger means
// "supports the gold label". Read from the model trained with uniform
// attention it is beta^uf. Also the forward pass over many examples in
// length-sorted chunks that every probe of the analysis shares.
//
// Legend: N = examples, B = chunk, L = longest sequence (<bos>/<eos> included).
#pragma once

#include <torch/types.h>

#include <functional>
#include <vector>

#include "attn/data/text_batch.h"
#include "attn/nn/attention_classifier.h"

namespace attn::probes {

/// beta signed by the gold label: (B, L) = output.beta * (2y - 1), 0 at padding.
torch::Tensor classifier_ktiw_beta(const nn::ClassifierOutput& output, const torch::Tensor& labels);

/// What one eval-mode pass over a list of examples reads off the model.
/// Rows follow the input order; columns are positions, padded to the longest.
struct ClassifierReadout {
  torch::Tensor alpha;        ///< (N, L) attention, 0 at padding
  torch::Tensor beta;         ///< (N, L) KTIW beta signed by the gold label, 0 at padding
  torch::Tensor probability;  ///< (N) P(y = 1 | x)
  torch::Tensor mask;         ///< (N, L) bool, true at real tokens
  torch::Tensor labels;       ///< (N) float 0/1
  double loss = 0;            ///< mean BCE
  double accuracy = 0;        ///< fraction with (P >= 0.5) == label
};

/// Runs `model` (switched to eval mode and back) over `examples` in chunks
/// of `chunk`, longest first so that a chunk pads little. No gradient.
ClassifierReadout read_classifier(nn::AttentionClassifierImpl& model,
                                  const std::vector<data::EncodedExample>& examples, int64_t chunk = 64);

/// Calls `fn(batch)` on length-sorted chunks of `examples`; fn returns a list
/// of (B, L_chunk) or (B) tensors, and each is scattered back into an (N, L)
/// or (N) tensor in input order (0 at padding). The building block of every
/// batched probe.
std::vector<torch::Tensor> map_chunks(
    const std::vector<data::EncodedExample>& examples, int64_t chunk,
    const std::function<std::vector<torch::Tensor>(const data::TextBatch&)>& fn);

/// (N, L) bool: true at the real tokens of each example.
torch::Tensor token_mask(const std::vector<data::EncodedExample>& examples);

/// (N, L) bool: true at the word positions of each example (real tokens
/// other than <bos> and <eos>). Agreement is measured over these.
torch::Tensor word_mask(const std::vector<data::EncodedExample>& examples);


/// A per-word probe as positions: (N, L) = word_scores[ids] * (2y - 1) at word
/// positions, 0 at <bos>, <eos> and padding. word_scores is (V), one score
/// per vocabulary id (beta^px and beta^logistic).
torch::Tensor signed_word_scores(const torch::Tensor& word_scores, const std::vector<data::EncodedExample>& examples);

}  // namespace attn::probes
