// Several recurrent layers on top of each other, one or two directions each
// (PAPER.md 2.2: the translation model's 2-layer BiLSTM encoder and 2-layer
// LSTM decoder), built from RecurrentLayer so that every layer keeps its
// exact input hoisting and padding handling: with a mask, only real tokens
// are computed ("packing": the backward direction starts at each sentence's
// last real token) while the batch stays the one the protocol drew.
//
// On CPU, for float LSTMs with right padding, the whole stack works on the
// real tokens' rows and each recurrence on rows sorted by length
// (src/nn/packed_layout.h): no padded copy is made between layers, and
// dropout draws only for real tokens. Other cases run layer by layer
// through RecurrentLayer's masked forward.
//
// Layer k > 0 reads dropout(layer k-1's outputs, directions concatenated);
// dropout acts between layers only, in training mode (as torch::nn::LSTM's
// `dropout`). Initial and final states are per layer; a bidirectional
// layer's final state is reported per direction and as their mean (the
// translation decoder starts from the per-layer mean).
//
// Legend: B = batch, T = time, I = input size, H = hidden size,
// K = H * directions.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/arg.h>
#include <torch/types.h>

#include <optional>
#include <vector>

#include "attn/nn/recurrent.h"

namespace attn::nn {

namespace detail {
struct PackedLayout;
}

struct RecurrentStackOptions {
  RecurrentStackOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  /// Size of each input vector of the first layer.
  TORCH_ARG(int64_t, input_size);
  /// Hidden size of every layer and direction.
  TORCH_ARG(int64_t, hidden_size);
  TORCH_ARG(int64_t, layers) = 1;
  /// Two directions per layer, outputs concatenated forward|backward.
  TORCH_ARG(bool, bidirectional) = false;
  /// Dropout probability on the inputs of layers 2.. (training mode only).
  TORCH_ARG(double, dropout) = 0.0;
  TORCH_ARG(CellKind, cell) = CellKind::kLSTM;
};

struct RecurrentStackOutput {
  torch::Tensor states;  // (B, T, K) the top layer's outputs, zero at padding
  /// finals[layer][direction]: the state after each sequence's last real
  /// position (the backward direction: after its first).
  std::vector<std::vector<RecurrentState>> finals;
  /// Per layer, the final state averaged over its directions.
  std::vector<RecurrentState> mean_finals() const;
};

class RecurrentStackImpl : public torch::nn::Module {
 public:
  explicit RecurrentStackImpl(const RecurrentStackOptions& options);

  /// Dense inputs (B, T, I); `mask` (B, T) bool true at real tokens,
  /// right-padded (undefined = none); `initial` one state per layer (a
  /// unidirectional stack only; empty = zeros).
  RecurrentStackOutput forward(const torch::Tensor& inputs, const torch::Tensor& mask = {},
                               const std::vector<RecurrentState>& initial = {});
  /// The same with the first layer reading token ids through an embedding
  /// table (V, I): the table is projected once when it has fewer rows than
  /// the batch has tokens (RecurrentLayer::input_gates_from_embedding), else
  /// the tokens' embeddings are looked up and projected at real tokens only.
  RecurrentStackOutput forward_tokens(const torch::Tensor& table, const torch::Tensor& tokens,
                                      const torch::Tensor& mask = {},
                                      const std::vector<RecurrentState>& initial = {});

  const RecurrentStackOptions& options() const { return options_; }
  int64_t output_size() const { return options_.hidden_size() * (options_.bidirectional() ? 2 : 1); }

  /// layers[layer][direction] (direction 1 = backward).
  std::vector<std::vector<RecurrentLayer>> layers;

 private:
  /// Runs from layer 0 given its per-direction input gates.
  RecurrentStackOutput run(std::vector<torch::Tensor> first_gates, const torch::Tensor& mask,
                           const std::vector<RecurrentState>& initial);
  /// The library route (RecurrenceRoute::kLibrary, a GPU): every layer
  /// through RecurrentLayer::forward_library over dense inputs (B, T, I).
  RecurrentStackOutput run_library(const torch::Tensor& inputs, const torch::Tensor& mask,
                                   const std::vector<RecurrentState>& initial);
  /// The layout of the packed path (CPU float LSTM, right-padded `mask`), or
  /// nothing for the generic one.
  std::optional<detail::PackedLayout> packed_layout(const torch::Tensor& like, const torch::Tensor& mask) const;
  /// The packed path: `rows` (N, I) are the first layer's inputs at the real
  /// tokens; every layer runs on the N real rows (projection, dropout) and
  /// its recurrence on the sorted time-major slots, with no padded copies.
  RecurrentStackOutput run_packed(const torch::Tensor& rows, const detail::PackedLayout& layout,
                                  const std::vector<RecurrentState>& initial);
  RecurrentStackOptions options_;
};
TORCH_MODULE(RecurrentStack);

}  // namespace attn::nn
