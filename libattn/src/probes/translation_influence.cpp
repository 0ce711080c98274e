// Delta for translation (see attn/probes/translation_influence.h).
#include "attn/probes/translation_influence.h"

#include <torch/autograd.h>

#include <limits>

namespace attn::probes {

torch::Tensor translation_influence(nn::TranslationModelImpl& model, const data::TranslationBatch& batch) {
  // Gradients for the gate only: parameters are frozen for the duration.
  std::vector<std::pair<torch::Tensor, bool>> saved;
  for (auto& p : model.parameters()) {
    saved.emplace_back(p, p.requires_grad());
    p.set_requires_grad(false);
  }
  torch::Tensor delta;
  try {
    torch::AutoGradMode enable(true);
    const int64_t B = batch.source.size(0), S = batch.source.size(1), T = batch.target_in.size(1);
    auto gate = torch::ones({B, S}, torch::TensorOptions().device(batch.source.device()).requires_grad(true));
    auto encoded = model.encode(batch.source, batch.source_mask, gate);
    auto target_mask = batch.target_in.ne(model.options().pad_id());
    auto states = model.decoder_states(encoded, batch.target_in);                       // (B, T, D)
    auto attended = model.attention_module(states, encoded.states, batch.source_mask);  // context (B, T, C)
    delta = torch::full({B, T, S}, std::numeric_limits<float>::quiet_NaN(), gate.options().requires_grad(false));
    for (int64_t t = 0; t < T; ++t) {
      auto real = target_mask.select(1, t);  // (B)
      if (!real.any().item<bool>()) continue;
      // The readout of step t only: (B, 1, V) -> log p(o_t).
      auto logits = model.readout_module(states.narrow(1, t, 1), attended.context.narrow(1, t, 1)).squeeze(1);
      auto gold = torch::log_softmax(logits, -1).gather(1, batch.target_out.select(1, t).unsqueeze(1)).squeeze(1);
      auto objective = (gold * real.to(gold.scalar_type())).sum();
      auto grad = torch::autograd::grad({objective}, {gate}, {}, /*retain_graph=*/t + 1 < T)[0];  // (B, S)
      auto row = grad.masked_fill(batch.source_mask.logical_not(), 0.0);
      delta.select(1, t).copy_(torch::where(real.unsqueeze(1), row, delta.select(1, t)));
    }
  } catch (...) {
    for (auto& [p, flag] : saved) p.set_requires_grad(flag);
    throw;
  }
  for (auto& [p, flag] : saved) p.set_requires_grad(flag);
  return delta;
}

}  // namespace attn::probes
