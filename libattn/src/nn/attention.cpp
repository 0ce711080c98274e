// Multi-head dot-product attention with a uniform mode (see attn/nn/attention.h).
#include "attn/nn/attention.h"

#include <cmath>

#include "attn/core/error.h"

namespace attn::nn {

AttentionImpl::AttentionImpl(const AttentionOptions& options) : options_(options) {
  check(options.heads() >= 1, "attention heads: expected at least 1, got {}", options.heads());
  reset();
}

void AttentionImpl::reset() {
  const int64_t H = options_.heads(), Q = options_.query_size(), K = options_.key_size(),
                C = options_.context_size();
  query_weight = register_parameter("query_weight", torch::empty({H, K, Q}));
  context_weight = register_parameter("context_weight", torch::empty({H, C, K}));
  if (options_.query_bias()) query_bias = register_parameter("query_bias", torch::empty({H, K}));
  if (options_.context_bias()) context_bias = register_parameter("context_bias", torch::empty({H, C}));
  // nn.Linear's default init per head: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  torch::NoGradGuard no_grad;
  const double q_bound = 1.0 / std::sqrt(static_cast<double>(Q));
  const double p_bound = 1.0 / std::sqrt(static_cast<double>(K));
  query_weight.uniform_(-q_bound, q_bound);
  if (query_bias.defined()) query_bias.uniform_(-q_bound, q_bound);
  context_weight.uniform_(-p_bound, p_bound);
  if (context_bias.defined()) context_bias.uniform_(-p_bound, p_bound);
}

AttentionOutput AttentionImpl::forward(const torch::Tensor& queries, const torch::Tensor& keys,
                                       const torch::Tensor& key_mask) {
  const int64_t B = queries.size(0), T = queries.size(1), L = keys.size(1), H = options_.heads(),
                K = options_.key_size();
  AttentionOutput out;
  if (options_.uniform()) {
    out.logits = torch::zeros({B, H, T, L}, queries.options());
  } else {
    // All heads' query projections as one (B*T, Q) x (Q, H*K) product: a
    // broadcast batched matmul per example is several times slower on CPU.
    auto q = torch::matmul(queries, query_weight.reshape({H * K, -1}).t());  // (B, T, H*K)
    if (query_bias.defined()) q = q + query_bias.reshape({H * K});
    q = q.view({B, T, H, K}).transpose(1, 2);                                // (B, H, T, K)
    out.logits = torch::matmul(q, keys.transpose(1, 2).unsqueeze(1));         // (B, H, T, L)
  }
  auto logits = out.logits;
  if (key_mask.defined()) {
    logits = logits.masked_fill(key_mask.logical_not().view({B, 1, 1, L}), kMaskedLogit);
  }
  out.head_weights = torch::softmax(logits, -1);                             // (B, H, T, L)
  auto summaries = torch::matmul(out.head_weights, keys.unsqueeze(1));       // (B, H, T, K)
  // mean_k P_k s_k = (1/H) [P_1 .. P_H] [s_1 ; .. ; s_H]: one product.
  auto stacked = summaries.transpose(1, 2).reshape({B, T, H * K});            // (B, T, H*K)
  auto weight = context_weight.transpose(0, 1).reshape({-1, H * K});          // (C, H*K)
  out.context = torch::matmul(stacked, weight.t());                           // (B, T, C)
  if (H > 1) out.context = out.context / static_cast<double>(H);
  if (context_bias.defined()) out.context = out.context + context_bias.mean(0);
  out.weights = H == 1 ? out.head_weights.squeeze(1) : out.head_weights.mean(1);  // (B, T, L)
  return out;
}

torch::Tensor AttentionImpl::one_hot_contexts(const torch::Tensor& keys) const {
  // Every head on position l: mean_k (P_k h_l + b_k) = (mean_k P_k) h_l + mean_k b_k.
  auto contexts = torch::matmul(keys, context_weight.mean(0).t());  // (B, L, C)
  if (context_bias.defined()) contexts = contexts + context_bias.mean(0);
  return contexts;
}

void AttentionImpl::copy_head_from(const AttentionImpl& other, int64_t source_head, int64_t target_head) {
  const auto& o = other.options();
  check(o.query_size() == options_.query_size() && o.key_size() == options_.key_size() &&
            o.context_size() == options_.context_size() && o.query_bias() == options_.query_bias() &&
            o.context_bias() == options_.context_bias(),
        "copy_head_from: attention modules have different shapes");
  check(source_head >= 0 && source_head < o.heads() && target_head >= 0 && target_head < options_.heads(),
        "copy_head_from: head index out of range ({} of {}, {} of {})", source_head, o.heads(),
        target_head, options_.heads());
  torch::NoGradGuard no_grad;
  query_weight[target_head].copy_(other.query_weight[source_head]);
  context_weight[target_head].copy_(other.context_weight[source_head]);
  if (query_bias.defined()) query_bias[target_head].copy_(other.query_bias[source_head]);
  if (context_bias.defined()) context_bias[target_head].copy_(other.context_bias[source_head]);
}

}  // namespace attn::nn
