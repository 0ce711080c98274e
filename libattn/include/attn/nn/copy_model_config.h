// The `model:` section of a copy-task config and its one reader (defaults
// from the CopyModelOptions passed in, i.e. the struct's own):
//   model: {architecture: lstm|multihead_gru, embedding_dim, hidden_size,
//           bidirectional, heads}
// vocab_size is not a key: the experiment sets it from its data.
#pragma once

#include "attn/io/config.h"
#include "attn/nn/copy_models.h"

namespace attn::nn {

/// Reads and checks `node` over `defaults`; errors name the file and key.
CopyModelOptions read_copy_model_options(const io::ConfigNode& node, const CopyModelOptions& defaults = {});

}  // namespace attn::nn
