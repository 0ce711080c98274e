// The translation model (see attn/nn/translation_model.h).
#include "attn/nn/translation_model.h"

#include "attn/core/error.h"
#include "attn/nn/copy_models.h"

namespace attn::nn {

namespace tnn = torch::nn;

EncodedSource EncodedSource::select(const torch::Tensor& rows) const {
  EncodedSource out{states.index_select(0, rows), mask.index_select(0, rows), {}};
  for (const auto& state : decoder_init)
    out.decoder_init.push_back({state.h.index_select(0, rows), state.c.index_select(0, rows)});
  return out;
}

TranslationModelImpl::TranslationModelImpl(const TranslationModelOptions& o) : options_(o) {
  check(o.vocab_size() > 4, "translation model: vocab_size must exceed the 4 control ids, got {}", o.vocab_size());
  check(o.encoder_layers() == o.decoder_layers(),
        "translation model: the decoder starts from the encoder's per-layer states, so encoder_layers ({}) must "
        "equal decoder_layers ({})",
        o.encoder_layers(), o.decoder_layers());
  const int64_t E = o.embedding_dim(), D = o.hidden_size();
  embedding = register_module("embedding", tnn::Embedding(o.vocab_size(), E));
  encoder = register_module(
      "encoder",
      RecurrentStack(RecurrentStackOptions(E, D).layers(o.encoder_layers()).bidirectional(true).dropout(o.dropout())));
  decoder = register_module(
      "decoder", RecurrentStack(RecurrentStackOptions(E, D).layers(o.decoder_layers()).dropout(o.dropout())));
  attention_module = register_module(
      "attention", Attention(AttentionOptions(D, 2 * D, D).uniform(o.uniform_attention())));
  readout_module =
      register_module("readout", Readout(ReadoutOptions(D, D, D, o.vocab_size()).activation(Activation::kReLU)));
}

Architecture TranslationModelImpl::architecture() const { return Architecture::kTranslationLstm; }

EncodedSource TranslationModelImpl::encode(const torch::Tensor& source, const torch::Tensor& source_mask,
                                           const torch::Tensor& source_gate) {
  RecurrentStackOutput encoded;
  if (source_gate.defined()) {
    auto inputs = embedding(source) * source_gate.unsqueeze(-1);  // (B, S, E)
    encoded = encoder->forward(inputs, source_mask);
  } else {
    encoded = encoder->forward_tokens(embedding->weight, source, source_mask);
  }
  return {encoded.states, source_mask, encoded.mean_finals()};
}

torch::Tensor TranslationModelImpl::decoder_states(const EncodedSource& encoded, const torch::Tensor& target_in) {
  auto target_mask = target_in.ne(options_.pad_id());  // (B, T)
  return decoder->forward_tokens(embedding->weight, target_in, target_mask, encoded.decoder_init).states;
}

Seq2SeqOutput TranslationModelImpl::forward(const torch::Tensor& source, const torch::Tensor& source_mask,
                                            const torch::Tensor& target_in) {
  return forward_gated(source, source_mask, target_in, {});
}

Seq2SeqOutput TranslationModelImpl::forward_gated(const torch::Tensor& source, const torch::Tensor& source_mask,
                                                  const torch::Tensor& target_in, const torch::Tensor& source_gate) {
  auto encoded = encode(source, source_mask, source_gate);
  auto states = decoder_states(encoded, target_in);                  // (B, T, D)
  auto attended = attention_module(states, encoded.states, source_mask);
  auto logits = readout_module(states, attended.context);           // (B, T, V)
  return {torch::log_softmax(logits, -1), attended.weights, attended.head_weights, states, encoded.states};
}

RealTokenOutput TranslationModelImpl::real_token_log_probs(const torch::Tensor& source,
                                                           const torch::Tensor& source_mask,
                                                           const torch::Tensor& target_in,
                                                           const torch::Tensor& target_out) {
  auto encoded = encode(source, source_mask);
  auto states = decoder_states(encoded, target_in);  // (B, T, D)
  auto attended = attention_module(states, encoded.states, source_mask);
  const int64_t D = states.size(2), C = attended.context.size(2);
  auto real = target_in.ne(options_.pad_id()).reshape({-1}).nonzero().squeeze(1);  // (N)
  auto real_states = states.reshape({-1, D}).index_select(0, real);                  // (N, D)
  auto real_contexts = attended.context.reshape({-1, C}).index_select(0, real);      // (N, C)
  auto logits = readout_module(real_states.unsqueeze(0), real_contexts.unsqueeze(0)).squeeze(0);  // (N, V)
  return {torch::log_softmax(logits, -1), target_out.reshape({-1}).index_select(0, real), attended.weights};
}

DecoderStep TranslationModelImpl::decode_step(const EncodedSource& encoded, const torch::Tensor& tokens,
                                              const std::vector<RecurrentState>& states) {
  auto decoded = decoder->forward_tokens(embedding->weight, tokens.unsqueeze(1), {}, states);  // states (B, 1, D)
  auto attended = attention_module(decoded.states, encoded.states, encoded.mask);
  auto logits = readout_module(decoded.states, attended.context).squeeze(1);  // (B, V)
  std::vector<RecurrentState> next;
  for (const auto& layer : decoded.finals) next.push_back(layer[0]);
  return {torch::log_softmax(logits, -1), attended.weights.squeeze(1), std::move(next)};
}

}  // namespace attn::nn
