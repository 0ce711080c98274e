// What every attention seq2seq model in libattn provides (PAPER.md 2.1, 2.4):
// a teacher-forced forward that returns named results, always including the
// attention weights, and access to the attention and readout modules that
// the probes (attn/probes/ktiw.h) and the two-stage trainer need.
//
// Legend: B = batch, S = source positions, T = target steps, V = vocabulary,
// H = attention heads, D = decoder state size, K = encoder state size.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <string>

#include "attn/nn/attention.h"
#include "attn/nn/readout.h"

namespace attn::nn {

struct Seq2SeqOutput {
  torch::Tensor log_probs;       // (B, T, V) log_softmax of the readout
  torch::Tensor attention;       // (B, T, S) alpha, mean over heads
  torch::Tensor head_attention;  // (B, H, T, S) alpha per head
  torch::Tensor decoder_states;  // (B, T, D)
  torch::Tensor encoder_states;  // (B, S, K)
};

enum class Architecture;

class Seq2SeqModel : public torch::nn::Module {
 public:
  /// source (B, S) ids, source_mask (B, S) bool, target_in (B, T) ids.
  virtual Seq2SeqOutput forward(const torch::Tensor& source, const torch::Tensor& source_mask,
                                const torch::Tensor& target_in) = 0;
  virtual AttentionImpl& attention() = 0;
  virtual ReadoutImpl& readout() = 0;
  /// Which architecture this is (attn/nn/copy_models.h names them).
  virtual Architecture architecture() const = 0;

  /// Uniform attention on/off (PAPER.md 2; the two-stage trainer's switch).
  void set_uniform_attention(bool uniform) { attention().set_uniform(uniform); }
  bool uniform_attention() { return attention().uniform(); }
};

}  // namespace attn::nn
