// The translation seq2seq model of PAPER.md 2.2 (completed from the authors'
// code): one embedding table shared by source and target; a 2-layer
// bidirectional LSTM encoder over real tokens only; a 2-layer LSTM decoder
// started from the encoder's per-layer final states averaged over the two
// directions; dropout between LSTM layers only; single-head attention
// s_{t,l} = (W_a d_t + b_a) . h_l, c_t = W_p sum_l alpha_{t,l} h_l + b_p;
// output log_softmax(W_o ReLU(W_f [d_t ; c_t] + b_f) + b_o). No input feeding,
// so teacher-forced decoding runs every step at once and attention is batched.
//
// Three ways to run it: forward() over the padded batch (what the probes
// read), real_token_log_probs() for training and evaluation (the readout, the
// largest GEMM, only at real target tokens: exact, about half the FLOPs of
// the padded batch), and encode() + decode_step() for beam search. A source
// gate (B, S) multiplies each source embedding: the Delta probe's m_l.
//
// Legend: B = batch, S = source positions, T = target steps, E = embedding,
// D = hidden size, K = 2D encoder state, V = vocabulary, N = real target tokens.
#pragma once

#include <torch/nn/modules/embedding.h>
#include <torch/nn/pimpl.h>
#include <torch/arg.h>
#include <torch/types.h>

#include <vector>

#include "attn/nn/attention.h"
#include "attn/nn/readout.h"
#include "attn/nn/recurrent_stack.h"
#include "attn/nn/seq2seq.h"

namespace attn::nn {

struct TranslationModelOptions {
  /// Joint source/target vocabulary (SentencePiece pieces).
  TORCH_ARG(int64_t, vocab_size) = 8000;
  TORCH_ARG(int64_t, embedding_dim) = 256;
  /// Per direction in the encoder; the decoder's state size.
  TORCH_ARG(int64_t, hidden_size) = 256;
  TORCH_ARG(int64_t, encoder_layers) = 2;
  TORCH_ARG(int64_t, decoder_layers) = 2;
  /// Between LSTM layers only (training mode).
  TORCH_ARG(double, dropout) = 0.5;
  /// The padding id: target positions holding it are not real tokens.
  TORCH_ARG(int64_t, pad_id) = 0;
  /// Start with attention frozen uniform.
  TORCH_ARG(bool, uniform_attention) = false;
};

/// The encoder's work for a batch of sources, reused at every decoding step.
struct EncodedSource {
  torch::Tensor states;                      // (B, S, K)
  torch::Tensor mask;                        // (B, S) bool, true at real tokens
  std::vector<RecurrentState> decoder_init;  // per decoder layer, (B, D) each
  /// The same rows in another order or repeated (beam search): rows (R) long.
  EncodedSource select(const torch::Tensor& rows) const;
};

/// One decoding step for every row.
struct DecoderStep {
  torch::Tensor log_probs;                // (B, V)
  torch::Tensor attention;                // (B, S)
  std::vector<RecurrentState> states;     // per decoder layer, after this step
};

/// Outputs at the real target tokens only, in row-major (b, t) order.
struct RealTokenOutput {
  torch::Tensor log_probs;  // (N, V)
  torch::Tensor gold;       // (N) target_out at the real tokens
  torch::Tensor attention;  // (B, T, S) alpha over the padded batch
};

class TranslationModelImpl : public Seq2SeqModel {
 public:
  explicit TranslationModelImpl(const TranslationModelOptions& options);

  /// Teacher-forced over the padded batch: source (B, S), source_mask (B, S)
  /// bool, target_in (B, T) (<s> + pieces, padded with pad_id).
  Seq2SeqOutput forward(const torch::Tensor& source, const torch::Tensor& source_mask,
                        const torch::Tensor& target_in) override;
  /// The same with source embeddings multiplied by `source_gate` (B, S).
  Seq2SeqOutput forward_gated(const torch::Tensor& source, const torch::Tensor& source_mask,
                              const torch::Tensor& target_in, const torch::Tensor& source_gate);
  /// Training and evaluation: log-probabilities at the real target tokens
  /// only (target_out (B, T), pad_id where target_in is padding).
  RealTokenOutput real_token_log_probs(const torch::Tensor& source, const torch::Tensor& source_mask,
                                       const torch::Tensor& target_in, const torch::Tensor& target_out);

  /// Runs the encoder (with an optional source gate (B, S)).
  EncodedSource encode(const torch::Tensor& source, const torch::Tensor& source_mask,
                       const torch::Tensor& source_gate = {});
  /// One decoder step: `tokens` (B) the previous outputs, `states` the
  /// decoder states after the previous step (encoded.decoder_init at first).
  DecoderStep decode_step(const EncodedSource& encoded, const torch::Tensor& tokens,
                          const std::vector<RecurrentState>& states);
  /// Teacher-forced decoder states (B, T, D) for target_in (zero at padding).
  torch::Tensor decoder_states(const EncodedSource& encoded, const torch::Tensor& target_in);

  AttentionImpl& attention() override { return *attention_module; }
  ReadoutImpl& readout() override { return *readout_module; }
  Architecture architecture() const override;
  const TranslationModelOptions& options() const { return options_; }

  torch::nn::Embedding embedding{nullptr};  // (V, E), shared by source and target
  RecurrentStack encoder{nullptr};          // bidirectional, K = 2D
  RecurrentStack decoder{nullptr};          // unidirectional, D
  Attention attention_module{nullptr};      // query D, key K, context D
  Readout readout_module{nullptr};          // ReLU, with biases

 private:
  TranslationModelOptions options_;
};
TORCH_MODULE(TranslationModel);

}  // namespace attn::nn
