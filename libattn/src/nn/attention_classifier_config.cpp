// The attention classifier's config reader (see attn/nn/attention_classifier_config.h).
#include "attn/nn/attention_classifier_config.h"

namespace attn::nn {

AttentionClassifierOptions read_attention_classifier_options(const io::ConfigNode& m,
                                                             const AttentionClassifierOptions& defaults) {
  AttentionClassifierOptions o = defaults;
  o.embedding_dim(m.get_int("embedding_dim", defaults.embedding_dim()));
  o.hidden_size(m.get_int("hidden_size", defaults.hidden_size()));
  o.attention_hidden(m.get_int("attention_hidden", defaults.attention_hidden()));
  m.require(o.embedding_dim() >= 1, "embedding_dim", "expected a positive size");
  m.require(o.hidden_size() >= 1, "hidden_size", "expected a positive size");
  m.require(o.attention_hidden() >= 1, "attention_hidden", "expected a positive size");
  return o;
}

}  // namespace attn::nn
