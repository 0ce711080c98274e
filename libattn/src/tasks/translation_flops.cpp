// Translation FLOP counts (see attn/tasks/translation_flops.h).
#include "attn/tasks/translation_flops.h"

namespace attn::tasks {

TranslationFlops translation_forward_flops(const nn::TranslationModelOptions& m, const data::TranslationBatch& batch) {
  const double E = static_cast<double>(m.embedding_dim()), H = static_cast<double>(m.hidden_size());
  const double V = static_cast<double>(m.vocab_size()), G = 4 * H, K = 2 * H;
  const double layers = static_cast<double>(m.encoder_layers());
  const double B = static_cast<double>(batch.source.size(0)), S = static_cast<double>(batch.source.size(1));
  const double T = static_cast<double>(batch.target_in.size(1));
  const double source_tokens = batch.source_mask.sum().item<double>();
  const double target_tokens = static_cast<double>(batch.target_tokens());
  auto count = [&](double ns, double nt) {
    // Encoder: two directions; layer 1 reads E, the others 2H.
    double f = 2 * ns * 2 * (E * G + H * G) + (layers - 1) * 2 * ns * 2 * (K * G + H * G);
    // Decoder over the target tokens.
    f += 2 * nt * (E * G + H * G) + (layers - 1) * 2 * nt * (H * G + H * G);
    // Attention over the padded (T, S) grid: query projection, scores, weighted sum, context projection.
    f += 2 * B * T * (H * K + S * K + S * K + K * H);
    // Readout: W_f [d ; c] and W_o, at the tokens it runs on.
    f += 2 * nt * (2 * H * H + H * V);
    return f;
  };
  return {count(source_tokens, target_tokens), count(source_tokens, B * T)};
}

TranslationFlops translation_step_flops(const nn::TranslationModelOptions& m, const data::TranslationBatch& batch) {
  auto f = translation_forward_flops(m, batch);
  return {3 * f.real, 3 * f.padded};
}

}  // namespace attn::tasks
