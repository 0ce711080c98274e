// Copy-task models (see attn/nn/copy_models.h).
#include "attn/nn/copy_models.h"

#include "attn/core/error.h"

namespace attn::nn {

namespace tnn = torch::nn;

CopySeq2SeqImpl::CopySeq2SeqImpl(const CopyModelOptions& o) : options_(o) {
  const int64_t E = o.embedding_dim(), D = o.hidden_size(), K = o.bidirectional() ? 2 * D : D;
  embedding = register_module("embedding", tnn::Embedding(o.vocab_size(), E));
  encoder_forward = register_module("encoder_forward", RecurrentLayer(RecurrentLayerOptions(E, D)));
  if (o.bidirectional())
    encoder_backward = register_module("encoder_backward", RecurrentLayer(RecurrentLayerOptions(E, D).reverse(true)));
  decoder = register_module("decoder", RecurrentLayer(RecurrentLayerOptions(E, D)));
  attention_module = register_module(
      "attention", Attention(AttentionOptions(D, K, D).heads(o.heads()).uniform(o.uniform_attention())));
  readout_module = register_module("readout", Readout(ReadoutOptions(D, D, D, o.vocab_size())));
}

Seq2SeqOutput CopySeq2SeqImpl::forward(const torch::Tensor& source, const torch::Tensor& source_mask,
                                       const torch::Tensor& target_in) {
  const auto& table = embedding->weight;  // (V, E)
  EncoderOutput encoded;
  auto fwd = encoder_forward->forward_tokens(table, source, source_mask);
  encoded.finals.push_back(fwd.final);
  if (encoder_backward) {
    auto bwd = encoder_backward->forward_tokens(table, source, source_mask);
    encoded.finals.push_back(bwd.final);
    encoded.states = torch::cat({fwd.outputs, bwd.outputs}, -1);  // (B, S, 2D)
  } else {
    encoded.states = fwd.outputs;  // (B, S, D)
  }
  // Teacher forcing without input feeding: the decoder does not depend on
  // attention, so it runs over all steps at once and attention is batched.
  auto decoded = decoder->forward_tokens(table, target_in, torch::Tensor(), encoded.mean_final());
  auto attended = attention_module(decoded.outputs, encoded.states, source_mask);
  auto logits = readout_module(decoded.outputs, attended.context);  // (B, T, V)
  return {torch::log_softmax(logits, -1), attended.weights, attended.head_weights, decoded.outputs,
          encoded.states};
}

MultiHeadCopyImpl::MultiHeadCopyImpl(const CopyModelOptions& o) : options_(o) {
  const int64_t E = o.embedding_dim(), D = o.hidden_size();
  source_embedding = register_module("source_embedding", tnn::Embedding(o.vocab_size(), E));
  target_embedding = register_module("target_embedding", tnn::Embedding(o.vocab_size(), E));
  encoder = register_module("encoder", RecurrentLayer(RecurrentLayerOptions(E, D).cell(CellKind::kGRU)));
  decoder = register_module("decoder", RecurrentLayer(RecurrentLayerOptions(E, D).cell(CellKind::kGRU)));
  attention_module = register_module(
      "attention", Attention(AttentionOptions(D, D, D)
                                 .heads(o.heads())
                                 .query_bias(false)
                                 .context_bias(false)
                                 .uniform(o.uniform_attention())));
  readout_module = register_module("readout", Readout(ReadoutOptions(D, D, D, o.vocab_size()).bias(false)));
}

Seq2SeqOutput MultiHeadCopyImpl::forward(const torch::Tensor& source, const torch::Tensor& source_mask,
                                         const torch::Tensor& target_in) {
  auto encoded = encoder->forward_tokens(source_embedding->weight, source, source_mask);
  auto decoded = decoder->forward_tokens(target_embedding->weight, target_in, torch::Tensor(),
                                         RecurrentState{encoded.final.h, torch::Tensor()});
  auto attended = attention_module(decoded.outputs, encoded.outputs, source_mask);
  auto logits = readout_module(decoded.outputs, attended.context);  // (B, T, V)
  return {torch::log_softmax(logits, -1), attended.weights, attended.head_weights, decoded.outputs,
          encoded.outputs};
}

std::string architecture_name(Architecture architecture) {
  switch (architecture) {
    case Architecture::kLstm: return "lstm";
    case Architecture::kMultiheadGru: return "multihead_gru";
    case Architecture::kTranslationLstm: return "translation_lstm";
  }
  return "?";
}

Architecture parse_architecture(const std::string& name) {
  for (auto a : {Architecture::kLstm, Architecture::kMultiheadGru})
    if (architecture_name(a) == name) return a;
  throw Error(fmt::format("model.architecture: expected lstm or multihead_gru, got '{}'", name));
}

std::shared_ptr<Seq2SeqModel> make_copy_model(const CopyModelOptions& options) {
  check(options.vocab_size() >= 3, "model vocab_size: expected at least 3, got {}", options.vocab_size());
  check(options.embedding_dim() >= 1 && options.hidden_size() >= 1,
        "model: embedding_dim and hidden_size must be positive");
  switch (options.architecture()) {
    case Architecture::kLstm: return std::make_shared<CopySeq2SeqImpl>(options);
    case Architecture::kMultiheadGru:
      check(!options.bidirectional(), "model.bidirectional: the multihead_gru model is unidirectional");
      return std::make_shared<MultiHeadCopyImpl>(options);
    case Architecture::kTranslationLstm:
      break;  // not a copy model: nn::TranslationModel
  }
  throw Error("model.architecture: unknown architecture");
}

}  // namespace attn::nn
