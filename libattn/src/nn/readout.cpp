// Seq2seq output layer (see attn/nn/readout.h).
#include "attn/nn/readout.h"

#include <cmath>

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

}  // namespace attn::nn
