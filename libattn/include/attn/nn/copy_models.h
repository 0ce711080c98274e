// The two copy-task models and the factory that builds either from config.
//
// CopySeq2Seq (PAPER.md 2.1): one embedding table shared by source and
// target; LSTM encoder (unidirectional, or bidirectional with the decoder
// starting from the directions' mean final state); LSTM decoder fed the
// previous gold token; single-head attention s = (W_a d_t + b_a) . h_l,
// c_t = W_p sum alpha h + b_p; readout log_softmax(W_o tanh(W_c [d;c] + b_c) + b_o).
//
// MultiHeadCopy (PAPER.md 2.4): separate source and target embeddings, GRU
// encoder and decoder (decoder starts from the encoder's last state), H heads
// without biases, readout W_o tanh(W_c [c ; d]) without biases.
//
// Legend: B = batch, S = source positions, T = target steps, E = embedding,
// D = hidden size, K = encoder state size (D or 2D), V = vocabulary.
#pragma once

#include <torch/nn/modules/embedding.h>

#include <memory>

#include "attn/nn/recurrent.h"
#include "attn/nn/seq2seq.h"

namespace attn::nn {

/// The two copy-task architectures; their YAML names are "lstm" and
/// "multihead_gru" (architecture_name / parse_architecture).
enum class Architecture {
  kLstm,          ///< PAPER.md 2.1
  kMultiheadGru,  ///< PAPER.md 2.4
  kTranslationLstm,  ///< PAPER.md 2.2 (attn/nn/translation_model.h; not a copy model)
};

std::string architecture_name(Architecture architecture);
/// Throws attn::Error naming the choices for an unknown name.
Architecture parse_architecture(const std::string& name);

struct CopyModelOptions {
  TORCH_ARG(Architecture, architecture) = Architecture::kLstm;
  /// Token ids the model embeds and predicts (content tokens + EOS + SOS).
  TORCH_ARG(int64_t, vocab_size) = 42;
  TORCH_ARG(int64_t, embedding_dim) = 256;
  TORCH_ARG(int64_t, hidden_size) = 256;
  /// Bidirectional encoder (lstm only).
  TORCH_ARG(bool, bidirectional) = false;
  /// Attention heads (1 for lstm as in the paper; any H works).
  TORCH_ARG(int64_t, heads) = 1;
  /// Start with attention frozen uniform.
  TORCH_ARG(bool, uniform_attention) = false;
};

class CopySeq2SeqImpl : public Seq2SeqModel {
 public:
  explicit CopySeq2SeqImpl(const CopyModelOptions& options);
  Seq2SeqOutput forward(const torch::Tensor& source, const torch::Tensor& source_mask,
                        const torch::Tensor& target_in) override;
  AttentionImpl& attention() override { return *attention_module; }
  ReadoutImpl& readout() override { return *readout_module; }
  Architecture architecture() const override { return Architecture::kLstm; }
  const CopyModelOptions& options() const { return options_; }

  torch::nn::Embedding embedding{nullptr};  // (V, E), shared by source and target
  RecurrentLayer encoder_forward{nullptr};
  RecurrentLayer encoder_backward{nullptr};  // only when bidirectional
  RecurrentLayer decoder{nullptr};
  Attention attention_module{nullptr};
  Readout readout_module{nullptr};

 private:
  CopyModelOptions options_;
};

class MultiHeadCopyImpl : public Seq2SeqModel {
 public:
  explicit MultiHeadCopyImpl(const CopyModelOptions& options);
  Seq2SeqOutput forward(const torch::Tensor& source, const torch::Tensor& source_mask,
                        const torch::Tensor& target_in) override;
  AttentionImpl& attention() override { return *attention_module; }
  ReadoutImpl& readout() override { return *readout_module; }
  Architecture architecture() const override { return Architecture::kMultiheadGru; }
  const CopyModelOptions& options() const { return options_; }

  torch::nn::Embedding source_embedding{nullptr};  // (V, E)
  torch::nn::Embedding target_embedding{nullptr};  // (V, E)
  RecurrentLayer encoder{nullptr};                 // GRU
  RecurrentLayer decoder{nullptr};                 // GRU
  Attention attention_module{nullptr};
  Readout readout_module{nullptr};

 private:
  CopyModelOptions options_;
};

/// The explicit factory: builds the architecture named in `options` on the
/// current torch seed. Throws attn::Error for an unknown architecture.
std::shared_ptr<Seq2SeqModel> make_copy_model(const CopyModelOptions& options);

}  // namespace attn::nn
