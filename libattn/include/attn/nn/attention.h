// Dot-product attention over encoder states with H heads and a uniform mode
// (PAPER.md 2, 2.1, 2.4). One head is the single-head attention of the copy
// and translation models; H heads is the multi-head copy model.
//
// Head k: s^k_{t,l} = (Q_k q_t + b^q_k) . h_l   (no scaling, as in the paper)
//         alpha^k_t = softmax_l(s^k_t), padding masked with kMaskedLogit (-1e9)
//         c^k_t     = P_k (sum_l alpha^k_{t,l} h_l) + b^p_k
// Output context c_t = mean_k c^k_t. In uniform mode the logits are replaced
// by zeros before masking: alpha is uniform over non-pad positions and Q, b^q
// receive no gradient (they are not used). P still learns: the uniform model
// of the paper reads the projected average of the encoder states.
//
// Legend: B = batch, T = query steps, L = source positions, H = heads,
// Q = query size, K = key size, C = context size.
#pragma once

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace attn::nn {

/// The additive logit of a padded position, as in the paper (not -inf): a
/// fully padded row stays finite.
inline constexpr double kMaskedLogit = -1e9;

struct AttentionOptions {
  AttentionOptions(int64_t query_size, int64_t key_size, int64_t context_size)
      : query_size_(query_size), key_size_(key_size), context_size_(context_size) {}
  /// Size of a query (decoder state d_t).
  TORCH_ARG(int64_t, query_size);
  /// Size of a key/value (encoder state h_l).
  TORCH_ARG(int64_t, key_size);
  /// Size of the projected context c_t.
  TORCH_ARG(int64_t, context_size);
  /// Number of heads; the output context is the mean of the heads' contexts.
  TORCH_ARG(int64_t, heads) = 1;
  /// Bias on the query projection (b_a in PAPER.md 2.1; none in 2.4).
  TORCH_ARG(bool, query_bias) = true;
  /// Bias on the context projection (b_p in PAPER.md 2.1; none in 2.4/2.2).
  TORCH_ARG(bool, context_bias) = true;
  /// Start in uniform mode (see file comment); switchable with set_uniform().
  TORCH_ARG(bool, uniform) = false;
};

struct AttentionOutput {
  torch::Tensor context;       // (B, T, C) mean over heads of P_k(alpha^k h)
  torch::Tensor weights;       // (B, T, L) alpha averaged over heads
  torch::Tensor head_weights;  // (B, H, T, L) alpha per head
  torch::Tensor logits;        // (B, H, T, L) before masking (zeros when uniform)
};

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const AttentionOptions& options);
  void reset();

  /// queries (B, T, Q), keys (B, L, K), key_mask (B, L) bool true at real
  /// positions (undefined = all real).
  AttentionOutput forward(const torch::Tensor& queries, const torch::Tensor& keys,
                          const torch::Tensor& key_mask = {});

  /// The context each source position would give if every head attended to
  /// it alone: mean_k (P_k h_l + b^p_k); keys (B, L, K) -> (B, L, C). The KTIW
  /// probe (PAPER.md 3) reads the output layer with this as the context.
  torch::Tensor one_hot_contexts(const torch::Tensor& keys) const;

  void set_uniform(bool uniform) { options_.uniform(uniform); }
  bool uniform() const { return options_.uniform(); }
  const AttentionOptions& options() const { return options_; }

  /// Copies head `source_head` of `other` into head `target_head` of this
  /// module (query and context projections): used to assemble multi-head
  /// models from screened single heads (paper Section 5.2).
  void copy_head_from(const AttentionImpl& other, int64_t source_head, int64_t target_head);

  torch::Tensor query_weight;    // (H, K, Q)
  torch::Tensor query_bias;      // (H, K) or undefined
  torch::Tensor context_weight;  // (H, C, K)
  torch::Tensor context_bias;    // (H, C) or undefined

 private:
  AttentionOptions options_;
};
TORCH_MODULE(Attention);

}  // namespace attn::nn
