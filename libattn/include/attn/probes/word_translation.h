// The co-occurrence-only probe beta^px for translation (PAPER.md 3 and 4.1):
// a bag-of-embeddings model that averages learned source-piece embeddings
// (dim 256) over a source sentence (<s> and </s> included) and predicts every
// target piece of the pair (after <s>, </s> included) through one linear
// layer and a log-softmax over the vocabulary; summed loss, Adam (lr 1e-3),
// batch 64, 30 epochs, keeping the epoch with the best validation loss (the
// untrained model counts as a candidate). It sees which pieces co-occur,
// never where they are. Its word-translation score is
//   p(o | i) = softmax_o(E_i W^T)      (the output bias left out),
// and beta^px_{t,l} = log p(o_t | source piece l).
//
// Legend: B = pairs, S = source positions, T = target steps, V = vocabulary,
// D = embedding size.
#pragma once

#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/arg.h>
#include <torch/types.h>

#include <vector>

#include "attn/data/translation_batch.h"

namespace attn::probes {

struct WordTranslatorOptions {
  TORCH_ARG(int64_t, embedding_dim) = 256;
  /// Passes over the training pairs; the best (validation loss) is kept.
  TORCH_ARG(int64_t, epochs) = 30;
  TORCH_ARG(int64_t, batch_size) = 64;
  TORCH_ARG(double, learning_rate) = 1e-3;
  /// Seeds the initialisation and the order of the pairs.
  TORCH_ARG(uint64_t, seed) = 0;
  /// Validation pairs scored per epoch (0 = all).
  TORCH_ARG(int64_t, validation_pairs) = 0;
};

class WordTranslatorImpl : public torch::nn::Module {
 public:
  WordTranslatorImpl(int64_t vocab_size, int64_t embedding_dim);
  /// source (B, S), source_mask (B, S) -> log-probabilities (B, V) of a target piece.
  torch::Tensor forward(const torch::Tensor& source, const torch::Tensor& source_mask);
  /// Summed NLL of every real target_out piece (pad_id skipped); (scalar).
  torch::Tensor loss(const data::TranslationBatch& batch, int64_t pad_id = 0);
  /// beta^px: log softmax_o(E_{source_l} W^T) at o = target_out[b, t] -> (B, T, S).
  torch::Tensor pair_scores(const torch::Tensor& source, const torch::Tensor& target_out);

  torch::nn::Embedding embedding{nullptr};  // (V, D)
  torch::nn::Linear output{nullptr};        // D -> V
};
TORCH_MODULE(WordTranslator);

struct WordTranslatorFit {
  WordTranslator model{nullptr};        ///< weights of the best epoch (eval mode)
  int64_t best_epoch = 0;               ///< 0 = the untrained model
  std::vector<double> validation_loss;  ///< per target piece; [0] untrained, then per epoch
  double seconds = 0;
};

/// Trains on `train`, selects the epoch by validation loss on `validation`.
/// Throws attn::Error for empty pair lists or bad options.
WordTranslatorFit train_word_translator(const std::vector<data::EncodedPair>& train,
                                        const std::vector<data::EncodedPair>& validation, int64_t vocab_size,
                                        const WordTranslatorOptions& options = {});

}  // namespace attn::probes
