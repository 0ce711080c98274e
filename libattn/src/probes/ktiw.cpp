// Batched KTIW probe (see attn/probes/ktiw.h).
#include "attn/probes/ktiw.h"

#include <limits>

namespace attn::probes {

torch::Tensor ktiw_beta(nn::Seq2SeqModel& model, const nn::Seq2SeqOutput& output,
                        const torch::Tensor& target_out, const torch::Tensor& source_mask) {
  torch::NoGradGuard no_grad;
  auto contexts = model.attention().one_hot_contexts(output.encoder_states);  // (B, S, C)
  auto beta = model.readout().pairwise_gold_log_probs(output.decoder_states, contexts, target_out);  // (B, T, S)
  if (source_mask.defined())
    beta = beta.masked_fill(source_mask.logical_not().unsqueeze(1), -std::numeric_limits<float>::infinity());
  return beta;
}

}  // namespace attn::probes
