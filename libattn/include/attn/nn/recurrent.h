// Single-layer LSTM and GRU with the input projection computed outside the
// time loop (PAPER.md 2.1, 2.2, 2.4; PyTorch semantics, gate order and init).
//
// Why not torch::nn::LSTM: the copy models read token embeddings, and for a
// token x with embedding E[x], W_ih E[x] + b = (E W_ih^T + b)[x]. Projecting
// the small table once instead of every (batch, time) embedding is exact and
// removes about half of the LSTM's FLOPs. Each recurrence then runs as a
// single autograd node with a hand-written backward (src/nn/lstm_function.h,
// gru_function.h) whose pointwise cell is one fused CPU loop for float
// tensors; the GRU on other devices/dtypes goes through autograd step by
// step. tests/test_recurrent.cpp checks
// values and gradients against torch::nn::LSTM / GRU. The layer also masks
// padding, so the reverse direction of a bidirectional encoder starts at each
// sequence's end; with right padding the CPU LSTM computes only the rows
// still running at each step (rows sorted by length inside forward()).
//
// Legend: B = batch, T = time, I = input size, H = hidden size, G = gates*H.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/arg.h>
#include <torch/types.h>

#include <string>

namespace attn::nn {

enum class CellKind { kLSTM, kGRU };

struct RecurrentLayerOptions {
  RecurrentLayerOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  /// Size of each input vector.
  TORCH_ARG(int64_t, input_size);
  /// Size of the hidden state.
  TORCH_ARG(int64_t, hidden_size);
  /// LSTM (gates i, f, g, o) or GRU (gates r, z, n), as in PyTorch.
  TORCH_ARG(CellKind, cell) = CellKind::kLSTM;
  /// Run from the last valid position backwards (the second direction of a
  /// bidirectional encoder).
  TORCH_ARG(bool, reverse) = false;
};

/// Final state of a recurrent layer: `c` is undefined for a GRU.
struct RecurrentState {
  torch::Tensor h;  // (B, H)
  torch::Tensor c;  // (B, H) LSTM only
};

struct RecurrentOutput {
  torch::Tensor outputs;  // (B, T, H), zero at padded positions
  RecurrentState final;   // state after each sequence's last valid position
};

class RecurrentLayerImpl : public torch::nn::Module {
 public:
  explicit RecurrentLayerImpl(const RecurrentLayerOptions& options);
  void reset();

  /// Input-gate pre-activations for dense inputs: x (B, T, I) -> (B, T, G).
  torch::Tensor input_gates(const torch::Tensor& x) const;
  /// The same computed at real tokens only (mask (B, T) bool, true at real
  /// tokens); padded positions hold zeros.
  torch::Tensor input_gates(const torch::Tensor& x, const torch::Tensor& mask) const;
  /// Input-gate pre-activations for token ids through an embedding table:
  /// table (V, I), tokens (B, T) -> (B, T, G); exact, see the file comment.
  torch::Tensor input_gates_from_embedding(const torch::Tensor& table,
                                           const torch::Tensor& tokens) const;

  /// Runs the recurrence. `gates` from input_gates*(); `mask` (B, T) bool,
  /// true at real tokens, right-padded (undefined = no padding); `initial`
  /// defaults to zeros.
  RecurrentOutput forward(const torch::Tensor& gates, const torch::Tensor& mask = {},
                          const RecurrentState& initial = {});

  /// The same recurrence through LibTorch's own whole-sequence kernels
  /// (at::lstm / at::gru: cuDNN on CUDA) over inputs x (B, T, I), with this
  /// layer's weights; outputs zero at padded positions as forward(). With a
  /// mask the lengths are read on the host once (packing needs them there).
  RecurrentOutput forward_library(const torch::Tensor& x, const torch::Tensor& mask = {},
                                  const RecurrentState& initial = {});

  /// Token ids through an embedding table (V, I) by the route of
  /// recurrence_route(): the projected table and forward(), or the looked-up
  /// embeddings and forward_library().
  RecurrentOutput forward_tokens(const torch::Tensor& table, const torch::Tensor& tokens,
                                 const torch::Tensor& mask = {}, const RecurrentState& initial = {});
  /// Dense inputs x (B, T, I) by the route of recurrence_route().
  RecurrentOutput forward_inputs(const torch::Tensor& x, const torch::Tensor& mask = {},
                                 const RecurrentState& initial = {});

  const RecurrentLayerOptions& options() const { return options_; }

  torch::Tensor weight_ih;  // (G, I)
  torch::Tensor weight_hh;  // (G, H)
  torch::Tensor bias_ih;    // (G)
  torch::Tensor bias_hh;    // (G)

 private:
  int64_t gate_count() const { return options_.cell() == CellKind::kLSTM ? 4 : 3; }
  RecurrentLayerOptions options_;
};
TORCH_MODULE(RecurrentLayer);

/// How recurrences run on a device. kHandWritten: the layer's own
/// recurrence (one autograd node and a fused cell loop on CPU float; step by
/// step elsewhere). kLibrary: LibTorch's whole-sequence kernels (cuDNN on
/// CUDA), which a GPU needs: step by step, a copy-task step is thousands of
/// tiny kernel launches. Both compute the same function (tests compare them).
enum class RecurrenceRoute { kHandWritten, kLibrary };

/// kLibrary on CUDA, kHandWritten elsewhere; the environment variable
/// ATTN_RECURRENCE=library|hand-written overrides it (for comparisons).
RecurrenceRoute recurrence_route(const torch::Device& device);

/// What recurrence_route() means on `device`, as run.json records it:
/// "cudnn", "libtorch-cuda", "fused-cpu", "libtorch-cpu", "step-by-step".
std::string describe_recurrence(const torch::Device& device);

/// One or two directions over the same input. Outputs are concatenated
/// forward|backward (B, T, D*H); `final` is the per-direction final states.
struct EncoderOutput {
  torch::Tensor states;                // (B, T, D*H)
  std::vector<RecurrentState> finals;  // one per direction
  /// Final state averaged over directions (PAPER.md 2.1: the decoder's
  /// initial state for a bidirectional encoder).
  RecurrentState mean_final() const;
};

}  // namespace attn::nn
