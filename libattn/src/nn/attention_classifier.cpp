// The attention classifier of PAPER.md 2.3 (see attn/nn/attention_classifier.h).
#include "attn/nn/attention_classifier.h"

#include <torch/nn/functional/loss.h>

#include "attn/core/error.h"
#include "attn/nn/attention.h"

namespace attn::nn {

AttentionClassifierImpl::AttentionClassifierImpl(const AttentionClassifierOptions& options)
    : options_(options) {
  check(options.vocab_size() > 0 && options.embedding_dim() > 0 && options.hidden_size() > 0 &&
            options.attention_hidden() > 0,
        "attention classifier: expected positive sizes, got vocab {} embedding {} hidden {} attention {}",
        options.vocab_size(), options.embedding_dim(), options.hidden_size(), options.attention_hidden());
  const int64_t E = options.embedding_dim(), H = options.hidden_size();
  embedding = register_module("embedding", torch::nn::Embedding(options.vocab_size(), E));
  encoder_forward = register_module("encoder_forward", RecurrentLayer(RecurrentLayerOptions(E, H)));
  encoder_backward =
      register_module("encoder_backward", RecurrentLayer(RecurrentLayerOptions(E, H).reverse(true)));
  attention_hidden = register_module("attention_hidden", torch::nn::Linear(2 * H, options.attention_hidden()));
  attention_output = register_module("attention_output", torch::nn::Linear(options.attention_hidden(), 1));
  score = register_module("score", torch::nn::Linear(2 * H, 1));
}

ClassifierOutput AttentionClassifierImpl::forward(const torch::Tensor& ids, const torch::Tensor& mask,
                                                  const torch::Tensor& gates) {
  check(ids.dim() == 2 && mask.sizes() == ids.sizes(),
        "attention classifier: expected ids and mask of the same (B, L) shape");
  const int64_t B = ids.size(0), L = ids.size(1);
  auto x = embedding(ids);                                     // (B, L, E)
  if (gates.defined()) x = x * gates.unsqueeze(-1);            // (B, L, E) gated
  // Dense input projections: a batch has fewer tokens than the vocabulary, and
  // the gated embeddings are not rows of the table.
  auto forward_states = encoder_forward->forward_inputs(x, mask).outputs; // (B, L, H)
  auto backward_states = encoder_backward->forward_inputs(x, mask).outputs;  // (B, L, H)

  ClassifierOutput out;
  out.states = torch::cat({forward_states, backward_states}, -1);  // (B, L, 2H)
  if (options_.uniform()) {
    out.attention_logits = torch::zeros({B, L}, x.options());
  } else {
    auto hidden = torch::relu(attention_hidden(out.states));       // (B, L, A)
    out.attention_logits = attention_output(hidden).squeeze(-1);   // (B, L)
  }
  auto masked = out.attention_logits.masked_fill(mask.logical_not(), kMaskedLogit);
  out.alpha = torch::softmax(masked, -1);                                   // (B, L)
  out.beta = score(out.states).squeeze(-1).masked_fill(mask.logical_not(), 0.0);  // (B, L)
  out.logits = (out.alpha * out.beta).sum(-1);                              // (B)
  return out;
}

torch::Tensor AttentionClassifierImpl::loss(const ClassifierOutput& output, const torch::Tensor& labels) {
  return torch::nn::functional::binary_cross_entropy_with_logits(output.logits, labels.to(output.logits.dtype()));
}

torch::Tensor AttentionClassifierImpl::gold_log_prob(const ClassifierOutput& output, const torch::Tensor& labels) {
  auto sign = labels.to(output.logits.dtype()) * 2 - 1;  // (B) +1 for y = 1, -1 for y = 0
  return torch::log_sigmoid(sign * output.logits);       // (B)
}

}  // namespace attn::nn
