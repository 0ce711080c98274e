// The attention classifier of PAPER.md section 2.3 (paper Section 3,
// classification): embedding (300) -> 1-layer bidirectional LSTM (256 per
// direction, masked, so the backward direction starts at each sequence's own
// end) -> an MLP attention logit a_l = w2 . ReLU(W1 h_l + b1) + b2 and a
// per-position score beta_l = w . h_l + b; the sequence score is
// s = sum_l alpha_l beta_l and P(positive) = sigmoid(s) (BCE loss).
//
// Uniform mode (PAPER.md 2): the attention logits are replaced by zeros
// before masking, so alpha is uniform over the real tokens and the scorer
// (W1, b1, w2, b2) gets no gradient; everything else trains as usual.
//
// forward() can multiply every input embedding by a scalar gate m_l: the
// gradient-influence probe Delta (attn/probes/gradient_influence.h) takes
// d log p(gold) / d m at m = 1.
//
// Legend: B = batch, L = positions (<bos>/<eos> included), V = vocabulary,
// E = embedding size, H = hidden size per direction, A = attention MLP width.
#pragma once

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "attn/nn/recurrent.h"

namespace attn::nn {

struct AttentionClassifierOptions {
  explicit AttentionClassifierOptions(int64_t vocab_size) : vocab_size_(vocab_size) {}
  /// Ids the embedding table holds (specials included).
  TORCH_ARG(int64_t, vocab_size);
  /// E: word embedding size (random init, as in the paper).
  TORCH_ARG(int64_t, embedding_dim) = 300;
  /// H: LSTM hidden size per direction (encoder states are 2H wide).
  TORCH_ARG(int64_t, hidden_size) = 256;
  /// A: width of the attention MLP's hidden layer (512 -> 256 -> 1).
  TORCH_ARG(int64_t, attention_hidden) = 256;
  /// Start with attention frozen uniform (switchable with set_uniform()).
  TORCH_ARG(bool, uniform) = false;
};

/// Everything one forward pass computes; all (B, L) tensors are 0 at padding.
struct ClassifierOutput {
  torch::Tensor logits;            ///< (B) s = sum_l alpha_l beta_l; P(y = 1) = sigmoid(s)
  torch::Tensor alpha;             ///< (B, L) attention weights (uniform in uniform mode)
  torch::Tensor beta;              ///< (B, L) per-position scores w . h_l + b (unsigned)
  torch::Tensor attention_logits;  ///< (B, L) a_l before masking (zeros in uniform mode)
  torch::Tensor states;            ///< (B, L, 2H) encoder states h_l, forward|backward
};

class AttentionClassifierImpl : public torch::nn::Module {
 public:
  explicit AttentionClassifierImpl(const AttentionClassifierOptions& options);

  /// ids (B, L) int64, mask (B, L) bool true at real tokens (right-padded).
  /// `gates` (B, L) float, optional: each embedding is multiplied by its gate.
  ClassifierOutput forward(const torch::Tensor& ids, const torch::Tensor& mask,
                           const torch::Tensor& gates = {});

  /// Mean binary cross-entropy of `output.logits` against labels (B) in {0, 1}.
  static torch::Tensor loss(const ClassifierOutput& output, const torch::Tensor& labels);
  /// log p(gold label | x) per example (B): log sigmoid((2y - 1) s).
  static torch::Tensor gold_log_prob(const ClassifierOutput& output, const torch::Tensor& labels);

  void set_uniform(bool uniform) { options_.uniform(uniform); }
  bool uniform() const { return options_.uniform(); }
  const AttentionClassifierOptions& options() const { return options_; }

  torch::nn::Embedding embedding{nullptr};     // (V, E)
  RecurrentLayer encoder_forward{nullptr};     // LSTM E -> H
  RecurrentLayer encoder_backward{nullptr};    // LSTM E -> H, reverse
  torch::nn::Linear attention_hidden{nullptr};  // W1, b1: 2H -> A
  torch::nn::Linear attention_output{nullptr};  // w2, b2: A -> 1
  torch::nn::Linear score{nullptr};             // w, b: 2H -> 1 (beta)

 private:
  AttentionClassifierOptions options_;
};
TORCH_MODULE(AttentionClassifier);

}  // namespace attn::nn
