// Encoded sentence pairs and their padded tensor batches, the input of the
// translation model (PAPER.md 2.2): every sentence is `<s> pieces </s>`; the
// decoder reads target[:-1] and predicts target[1:]; padding is id 0 on the
// right. Batches keep the rows in the order drawn (the protocol's random
// batch), and the model computes only real tokens inside them.
//
// Legend: B = batch size, S = longest source, T = longest target minus one.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace attn::data {

/// One pair as ids, <s> and </s> included on both sides.
struct EncodedPair {
  std::vector<int64_t> source;
  std::vector<int64_t> target;
};

/// Padded tensors for one batch (on the CPU).
struct TranslationBatch {
  torch::Tensor source;       ///< (B, S) int64, pad after each sentence's end
  torch::Tensor source_mask;  ///< (B, S) bool, true at real tokens
  torch::Tensor target_in;    ///< (B, T) int64, target[:-1]
  torch::Tensor target_out;   ///< (B, T) int64, target[1:] (pad where target_in is pad)
  int64_t pad_id = 0;
  int64_t rows() const { return source.size(0); }
  /// Real target tokens (the loss's denominator).
  int64_t target_tokens() const;
  /// The same batch on `device`.
  TranslationBatch to(const torch::Device& device) const;
};

/// Pads pairs[indices[0]], pairs[indices[1]], ... in that order. Throws
/// attn::Error for an empty batch, an empty source or a target shorter than
/// two ids (<s> and </s>).
TranslationBatch make_translation_batch(const std::vector<EncodedPair>& pairs, const std::vector<int64_t>& indices,
                                        int64_t pad_id = 0);

/// Batches that cover `count` pairs in order of decreasing source length
/// (evaluation: little padding; the rows of batch k are the returned
/// indices[k]), at most `batch_size` rows each.
std::vector<std::vector<int64_t>> length_sorted_batches(const std::vector<EncodedPair>& pairs, int64_t count,
                                                        int64_t batch_size);

}  // namespace attn::data
