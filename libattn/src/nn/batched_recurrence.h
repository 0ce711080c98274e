// Internal: the LSTM and GRU recurrences of R independent runs at once
// (issue 17 point 4, attn/nn/batched_copy_models.h), each one autograd node
// with a hand-written backward like lstm_function.h / gru_function.h.
//
// The R runs' batches sit side by side in the batch dimension (run r owns
// rows [r B, (r + 1) B)), so the fused pointwise cells of fast_pointwise.h
// run unchanged over all R B rows; only the recurrent products differ: one
// batched product (R, B, H) x (R, H, G) per step instead of R separate ones.
// CPU float only (the generic route is plain autograd in
// batched_copy_models.cpp). tests/test_batched_runs.cpp checks the whole
// model against R separate ones.
//
// Legend: T = time, R = runs, B = batch per run, H = hidden, G = gates*H.
#pragma once

#include <torch/csrc/autograd/custom_function.h>
#include <torch/types.h>

namespace attn::nn::detail {

struct BatchedLSTMRecurrence : public torch::autograd::Function<BatchedLSTMRecurrence> {
  /// gates_x (T, R*B, G) input pre-activations with both biases; h0, c0
  /// (R*B, H); w_hh (R, G, H); mask (T, R*B, 1) float or empty (numel 0).
  /// Returns {outputs (T, R*B, H) zero at padding, h_T, c_T}.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx,
                                                const torch::Tensor& gates_x, const torch::Tensor& h0,
                                                const torch::Tensor& c0, const torch::Tensor& w_hh,
                                                const torch::Tensor& mask, bool reverse);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs);
};

struct BatchedGRURecurrence : public torch::autograd::Function<BatchedGRURecurrence> {
  /// gates_x (T, R*B, 3H) input pre-activations with b_ih; h0 (R*B, H); w_hh
  /// (R, 3H, H); b_hh (R, 3H); mask as above. Returns {outputs (T, R*B, H), h_T}.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx,
                                                const torch::Tensor& gates_x, const torch::Tensor& h0,
                                                const torch::Tensor& w_hh, const torch::Tensor& b_hh,
                                                const torch::Tensor& mask, bool reverse);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs);
};

/// Per-run weight gradient sum_{t, b} dG[t, r b]^T x[t, r b]: d_gates
/// (T, R*B, G), inputs (T, R*B, X) -> (R, G, X).
torch::Tensor per_run_weight_grad(const torch::Tensor& d_gates, const torch::Tensor& inputs, int64_t runs);

}  // namespace attn::nn::detail
