// The co-occurrence-only probe beta^px of PAPER.md section 3, classification:
// a bag-of-embeddings model that averages learned word embeddings (dim 256)
// over an example's words and applies one linear layer, trained with sigmoid
// + BCE (Adam, batch 64), keeping the epoch with the best validation loss.
// A word's score is E_i . w (the bias is shared by all words and left out);
// beta^px at a position is its word's score signed by the gold label
// (probes::signed_word_scores). It sees only which words occur, never where,
// so it is the "knowledge to translate individual words" that bag-of-words
// statistics alone provide.
//
// Legend: B = batch, L = positions, V = vocabulary, D = embedding size.
#pragma once

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <vector>

#include "attn/data/text_batch.h"

namespace attn::probes {

struct BagOfEmbeddingsOptions {
  /// D: word embedding size.
  TORCH_ARG(int64_t, embedding_dim) = 256;
  /// Passes over the training examples; the best one (validation loss) is kept.
  TORCH_ARG(int64_t, epochs) = 10;
  TORCH_ARG(int64_t, batch_size) = 64;
  TORCH_ARG(double, learning_rate) = 1e-3;
  /// Seeds the initialisation and the order of the examples.
  TORCH_ARG(uint64_t, seed) = 0;
};

class BagOfEmbeddingsImpl : public torch::nn::Module {
 public:
  BagOfEmbeddingsImpl(int64_t vocab_size, int64_t embedding_dim);
  /// ids (B, L), mask (B, L) true at words (not <bos>/<eos>/padding) -> logits (B).
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& word_mask);
  /// (V) the score E_i . w of every vocabulary id.
  torch::Tensor word_scores() const;

  torch::nn::Embedding embedding{nullptr};  // (V, D)
  torch::nn::Linear output{nullptr};        // D -> 1
};
TORCH_MODULE(BagOfEmbeddings);

struct BagOfEmbeddingsFit {
  BagOfEmbeddings model{nullptr};    ///< weights of the best epoch
  torch::Tensor word_scores;         ///< (V) of the best epoch
  int64_t best_epoch = 0;            ///< 1-based
  std::vector<double> validation_loss;  ///< per epoch
  double validation_accuracy = 0;    ///< of the best epoch
  double seconds = 0;
};

/// Trains on `train`, selects the epoch by validation loss on `validation`.
/// Throws attn::Error for empty example lists or bad options.
BagOfEmbeddingsFit train_bag_of_embeddings(const std::vector<data::EncodedExample>& train,
                                           const std::vector<data::EncodedExample>& validation,
                                           int64_t vocab_size, const BagOfEmbeddingsOptions& options = {});

}  // namespace attn::probes
