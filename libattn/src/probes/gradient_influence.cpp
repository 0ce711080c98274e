// Gradient influence Delta (see attn/probes/gradient_influence.h).
#include "attn/probes/gradient_influence.h"

#include <torch/autograd.h>

#include "attn/probes/classifier_ktiw.h"

namespace attn::probes {

torch::Tensor gradient_influence(nn::AttentionClassifierImpl& model, const data::TextBatch& batch) {
  torch::AutoGradMode enable(true);
  const auto device = model.embedding->weight.device();
  auto ids = batch.ids.to(device), mask = batch.mask.to(device), labels = batch.labels.to(device);
  auto gates = torch::ones(ids.sizes(), model.embedding->weight.options()).requires_grad_(true);  // (B, L)
  auto out = model.forward(ids, mask, gates);
  auto total = nn::AttentionClassifierImpl::gold_log_prob(out, labels).sum();
  // Gradient with respect to the gates only: parameters' .grad stay untouched.
  auto delta = torch::autograd::grad({total}, {gates})[0];  // (B, L)
  return delta.masked_fill(mask.logical_not(), 0.0).detach();
}

torch::Tensor gradient_influence(nn::AttentionClassifierImpl& model,
                                 const std::vector<data::EncodedExample>& examples, int64_t chunk) {
  const bool was_training = model.is_training();
  model.eval();
  auto parts = map_chunks(examples, chunk, [&](const data::TextBatch& batch) {
    return std::vector<torch::Tensor>{gradient_influence(model, batch)};
  });
  if (was_training) model.train();
  return parts[0];
}

}  // namespace attn::probes
