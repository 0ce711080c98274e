// Batched KTIW probe (see attn/probes/ktiw.h).
#include "attn/probes/ktiw.h"

#include <limits>

namespace attn::probes {

torch::Tensor ktiw_beta(nn::Seq2SeqModel& model, const nn::Seq2SeqOutput& output,
                        const torch::Tensor& target_out, const torch::Tensor& source_mask, int64_t chunk) {
  torch::NoGradGuard no_grad;
  const int64_t B = output.decoder_states.size(0);
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < B; start += chunk) {
    const int64_t n = std::min(chunk, B - start);
    auto states = output.decoder_states.narrow(0, start, n);                          // (n, T, D)
    auto contexts = model.attention().one_hot_contexts(output.encoder_states.narrow(0, start, n));  // (n, S, C)
    auto log_probs = torch::log_softmax(model.readout().pairwise_logits(states, contexts), -1);  // (n, T, S, V)
    auto gold = target_out.narrow(0, start, n).unsqueeze(-1).unsqueeze(-1)             // (n, T, 1, 1)
                    .expand({n, log_probs.size(1), log_probs.size(2), 1});
    parts.push_back(log_probs.gather(-1, gold).squeeze(-1));                             // (n, T, S)
  }
  auto beta = torch::cat(parts, 0);  // (B, T, S)
  if (source_mask.defined())
    beta = beta.masked_fill(source_mask.logical_not().unsqueeze(1), -std::numeric_limits<float>::infinity());
  return beta;
}

}  // namespace attn::probes
