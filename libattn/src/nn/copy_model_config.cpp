// The copy model's config reader (see attn/nn/copy_model_config.h).
#include "attn/nn/copy_model_config.h"

namespace attn::nn {

CopyModelOptions read_copy_model_options(const io::ConfigNode& m, const CopyModelOptions& defaults) {
  CopyModelOptions o = defaults;
  o.architecture(parse_architecture(
      m.get_choice("architecture", architecture_name(defaults.architecture()), {"lstm", "multihead_gru"})));
  o.embedding_dim(m.get_int("embedding_dim", defaults.embedding_dim()));
  o.hidden_size(m.get_int("hidden_size", defaults.hidden_size()));
  o.bidirectional(m.get_bool("bidirectional", defaults.bidirectional()));
  o.heads(m.get_int("heads", defaults.heads()));
  m.require(o.embedding_dim() >= 1, "embedding_dim", "expected a positive size");
  m.require(o.hidden_size() >= 1, "hidden_size", "expected a positive size");
  m.require(o.heads() >= 1, "heads", "expected at least 1 head");
  m.require(!(o.bidirectional() && o.architecture() == Architecture::kMultiheadGru), "bidirectional",
            "the multihead_gru model is unidirectional");
  return o;
}

}  // namespace attn::nn
