// The output layer of the seq2seq models: logits = W_o act(W_s d + W_c c + b) + b_o
// (PAPER.md 2.1: tanh with biases; 2.2: ReLU, no biases; 2.4: tanh, no biases).
// W_s and W_c are the two halves of the paper's W_c acting on [d ; c]; keeping
// them apart lets the KTIW probe evaluate every (target step, source position)
// pair without materialising T*L concatenations (pairwise_logits).
//
// Legend: B = batch, T = target steps, L = source positions, D = state size,
// C = context size, M = combine size, V = vocabulary.
#pragma once

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace attn::nn {

enum class Activation { kTanh, kReLU };

struct ReadoutOptions {
  ReadoutOptions(int64_t state_size, int64_t context_size, int64_t combine_size, int64_t vocab_size)
      : state_size_(state_size), context_size_(context_size), combine_size_(combine_size),
        vocab_size_(vocab_size) {}
  /// Size of the decoder state d_t.
  TORCH_ARG(int64_t, state_size);
  /// Size of the attention context c_t.
  TORCH_ARG(int64_t, context_size);
  /// Size of the combined layer act(W [d ; c]).
  TORCH_ARG(int64_t, combine_size);
  /// Output vocabulary size.
  TORCH_ARG(int64_t, vocab_size);
  TORCH_ARG(Activation, activation) = Activation::kTanh;
  /// Bias in the combine layer (b_c) and the output layer (b_o).
  TORCH_ARG(bool, bias) = true;
};

class ReadoutImpl : public torch::nn::Module {
 public:
  explicit ReadoutImpl(const ReadoutOptions& options);
  void reset();

  /// states (B, T, D), contexts (B, T, C) -> logits (B, T, V).
  torch::Tensor forward(const torch::Tensor& states, const torch::Tensor& contexts);
  /// Every pair: states (B, T, D), contexts (B, L, C) -> logits (B, T, L, V).
  torch::Tensor pairwise_logits(const torch::Tensor& states, const torch::Tensor& contexts);
  /// log_softmax(pairwise_logits)[..., gold[b, t]] -> (B, T, L), the KTIW
  /// probe's core, without materialising (B, T, L, V) or (B, T, L, M): on CPU
  /// one example at a time through a fused add+activation kernel and one GEMM
  /// (examples split across threads). No gradient flows through it.
  torch::Tensor pairwise_gold_log_probs(const torch::Tensor& states, const torch::Tensor& contexts,
                                        const torch::Tensor& gold);

  const ReadoutOptions& options() const { return options_; }

  torch::nn::Linear state_in{nullptr};    // W_s (+ b_c): D -> M
  torch::nn::Linear context_in{nullptr};  // W_c: C -> M (no bias of its own)
  torch::nn::Linear output{nullptr};      // W_o (+ b_o): M -> V

 private:
  torch::Tensor activate(const torch::Tensor& x) const;
  ReadoutOptions options_;
};
TORCH_MODULE(Readout);

}  // namespace attn::nn
