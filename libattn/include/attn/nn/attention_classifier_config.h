// The `model:` section of a classification config and its one reader
// (defaults from the AttentionClassifierOptions passed in, i.e. the struct's
// own): {embedding_dim, hidden_size, attention_hidden}. vocab_size is not a
// key: the experiment sets it from its vocabulary.
#pragma once

#include "attn/io/config.h"
#include "attn/nn/attention_classifier.h"

namespace attn::nn {

/// Reads and checks `node` over `defaults`; errors name the file and key.
AttentionClassifierOptions read_attention_classifier_options(const io::ConfigNode& node,
                                                             const AttentionClassifierOptions& defaults);

}  // namespace attn::nn
