// Seq2seq output layer (see attn/nn/readout.h).
#include "attn/nn/readout.h"

#include <ATen/Parallel.h>

#include <cmath>

#include "attn/core/error.h"
#include "fast_pointwise.h"

namespace attn::nn {

ReadoutImpl::ReadoutImpl(const ReadoutOptions& options) : options_(options) { reset(); }

void ReadoutImpl::reset() {
  namespace tnn = torch::nn;
  const auto& o = options_;
  state_in = register_module("state_in", tnn::Linear(tnn::LinearOptions(o.state_size(), o.combine_size()).bias(o.bias())));
  context_in = register_module("context_in", tnn::Linear(tnn::LinearOptions(o.context_size(), o.combine_size()).bias(false)));
  output = register_module("output", tnn::Linear(tnn::LinearOptions(o.combine_size(), o.vocab_size()).bias(o.bias())));
  // Init as one nn.Linear on [d ; c] would be: fan_in = D + C for both halves.
  const double bound = 1.0 / std::sqrt(static_cast<double>(o.state_size() + o.context_size()));
  torch::NoGradGuard no_grad;
  state_in->weight.uniform_(-bound, bound);
  if (o.bias()) state_in->bias.uniform_(-bound, bound);
  context_in->weight.uniform_(-bound, bound);
}

torch::Tensor ReadoutImpl::activate(const torch::Tensor& x) const {
  return options_.activation() == Activation::kTanh ? x.tanh() : x.relu();
}

torch::Tensor ReadoutImpl::forward(const torch::Tensor& states, const torch::Tensor& contexts) {
  return output(activate(state_in(states) + context_in(contexts)));  // (B, T, V)
}

torch::Tensor ReadoutImpl::pairwise_logits(const torch::Tensor& states, const torch::Tensor& contexts) {
  auto from_state = state_in(states).unsqueeze(2);        // (B, T, 1, M)
  auto from_context = context_in(contexts).unsqueeze(1);  // (B, 1, L, M)
  return output(activate(from_state + from_context));     // (B, T, L, V)
}

torch::Tensor ReadoutImpl::pairwise_gold_log_probs(const torch::Tensor& states, const torch::Tensor& contexts,
                                                   const torch::Tensor& gold) {
  torch::NoGradGuard no_grad;
  const int64_t B = states.size(0), T = states.size(1), L = contexts.size(1), M = options_.combine_size(),
                V = options_.vocab_size();
  check(contexts.size(0) == B && gold.dim() == 2 && gold.size(0) == B && gold.size(1) == T,
        "pairwise_gold_log_probs: expected states (B, T, D), contexts (B, L, C), gold (B, T)");
  // Row (t * L + l) of an example's (T * L, V) logits wants gold[t].
  auto gold_rows = gold.to(torch::kLong).unsqueeze(-1).expand({B, T, L}).reshape({B, T * L, 1});
  if (!states.is_cpu() || states.scalar_type() != torch::kFloat) {
    // Generic path (CUDA, double): pairwise_logits over chunks of examples.
    constexpr int64_t kChunk = 8;
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < B; start += kChunk) {
      const int64_t n = std::min(kChunk, B - start);
      auto logits = pairwise_logits(states.narrow(0, start, n), contexts.narrow(0, start, n));  // (n, T, L, V)
      auto log_probs = torch::log_softmax(logits, -1).view({n, T * L, V});
      parts.push_back(log_probs.gather(-1, gold_rows.narrow(0, start, n)).view({n, T, L}));
    }
    return torch::cat(parts, 0);
  }
  auto from_state = state_in(states).contiguous();        // (B, T, M), includes b_c
  auto from_context = context_in(contexts).contiguous();  // (B, L, M)
  auto result = torch::empty({B, T, L}, states.options());
  const auto weight_t = output->weight.t();  // (M, V)
  const bool has_bias = output->bias.defined();
  const bool tanh = options_.activation() == Activation::kTanh;
  at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
    auto hidden = torch::empty({T * L, M}, states.options());
    auto logits = torch::empty({T * L, V}, states.options());
    for (int64_t b = begin; b < end; ++b) {
      const float* a = from_state[b].data_ptr<float>();
      const float* c = from_context[b].data_ptr<float>();
      if (tanh)
        detail::pairwise_add_tanh(hidden.data_ptr<float>(), a, c, T, L, M);
      else
        detail::pairwise_add_relu(hidden.data_ptr<float>(), a, c, T, L, M);
      if (has_bias)
        torch::addmm_out(logits, output->bias, hidden, weight_t);
      else
        torch::mm_out(logits, hidden, weight_t);
      auto gold_logit = logits.gather(1, gold_rows[b]).squeeze(1);  // (T * L)
      result[b].view({T * L}).copy_(gold_logit - torch::logsumexp(logits, 1));
    }
  });
  return result;
}

}  // namespace attn::nn
