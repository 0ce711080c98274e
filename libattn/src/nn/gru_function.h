// Internal: the GRU recurrence as one autograd node, for float tensors on the
// CPU (see recurrent.h; other devices and dtypes take the step-by-step
// autograd path there). Why, as for the LSTM (lstm_function.h): through
// autograd every step records ~12 nodes and multiplies a small dW_hh; here a
// step is one GEMM plus one fused pointwise pass (fast_pointwise.h), and
// dW_hh is one (3H, T*B) x (T*B, H) product at the end.
//
// Legend: T = time, B = batch, H = hidden size, gates (r, z, n) = 3H.
#pragma once

#include <torch/csrc/autograd/custom_function.h>
#include <torch/types.h>

namespace attn::nn::detail {

struct GRURecurrence : public torch::autograd::Function<GRURecurrence> {
  /// gates_x (T, B, 3H) input pre-activations with b_ih; h0 (B, H); w_hh
  /// (3H, H) and b_hh (3H), which stays inside r * (W_hn h + b_hn); mask
  /// (T, B, 1) float, or empty (numel 0) for no padding. Steps run from T-1
  /// to 0 when `reverse`. Returns {outputs (T, B, H) zero at padding, h_T}.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx,
                                                const torch::Tensor& gates_x, const torch::Tensor& h0,
                                                const torch::Tensor& w_hh, const torch::Tensor& b_hh,
                                                const torch::Tensor& mask, bool reverse);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs);
};

}  // namespace attn::nn::detail
