// Encoded classification examples and their padded tensor batches, the input
// of the attention classifier (PAPER.md section 2.3): ids `<bos> w1 .. wn <eos>`
// padded with <pad> = 0, a mask that is true at real tokens (attention is a
// softmax over them only), and float labels for the BCE loss.
//
// Legend: B = batch size, L = longest sequence in the batch (<bos>/<eos> included).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "attn/data/text_dataset.h"
#include "attn/data/vocabulary.h"

namespace attn::data {

/// One example as ids, <bos> and <eos> included.
struct EncodedExample {
  std::vector<int64_t> ids;
  int label = 0;
};

/// Encodes every example of `data` with vocab.encode().
std::vector<EncodedExample> encode_dataset(const TextDataset& data, const Vocabulary& vocab);

/// How make_batch() lays out a batch.
struct BatchOptions {
  /// Cap on a sequence's length, <bos>/<eos> included; 0 = no cap. A longer
  /// sequence keeps its first max_length - 1 ids and its last id (<eos>).
  int64_t max_length = 0;
  /// Order the rows longest first (stable, so ties keep input order).
  bool sort_by_length = false;
};

/// Padded tensors for one batch. All on the CPU.
struct TextBatch {
  torch::Tensor ids;      ///< (B, L) int64, 0 (<pad>) after each sequence's end
  torch::Tensor mask;     ///< (B, L) bool, true at real tokens
  torch::Tensor lengths;  ///< (B) int64, real tokens per row (after the cap)
  torch::Tensor labels;   ///< (B) float32, 0 or 1
  /// Row r holds input example order[r] (the identity unless sorted).
  std::vector<int64_t> order;
};

/// Pads all of `examples` into one batch. Throws attn::Error for an empty
/// batch, an empty sequence or max_length in [1, 2).
TextBatch make_batch(const std::vector<EncodedExample>& examples, const BatchOptions& options = {});

/// Pads examples[indices[0]], examples[indices[1]], ... (a minibatch);
/// `order` then refers to positions in `examples`.
TextBatch make_batch(const std::vector<EncodedExample>& examples, const std::vector<int64_t>& indices,
                     const BatchOptions& options = {});

/// The length a sequence of `length` ids has after the cap.
int64_t capped_length(int64_t length, int64_t max_length);

}  // namespace attn::data
