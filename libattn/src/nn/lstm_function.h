// Internal: the LSTM recurrence as one autograd node (see recurrent.h).
//
// Why: through autograd, every time step records ~10 nodes and its backward
// multiplies two small matrices per step (dh and dW_hh). As one node, the
// backward walks the steps with one (B, 4H) x (4H, H) product each and forms
// dW_hh at the end as a single (4H, T*B) x (T*B, H) product.
//
// Padding, two ways. `mask` (any pattern; generic and fused paths) runs every
// row through every step and lerps the padded ones back. `active` (fused CPU
// float path only) is for right-padded rows sorted longest first: step t
// computes only its first active[t] rows and carries the rest over, so the
// recurrent GEMMs cost the real tokens, not the padded rectangle (mail texts
// are a third padding at a 400-token cap).
//
// Legend: T = time, B = batch, H = hidden size, G = 4H gate pre-activations.
#pragma once

#include <torch/csrc/autograd/custom_function.h>
#include <torch/types.h>

#include <vector>

namespace attn::nn::detail {

struct LSTMRecurrence : public torch::autograd::Function<LSTMRecurrence> {
  /// gates_x (T, B, G) input pre-activations with both biases; h0, c0 (B, H);
  /// w_hh (G, H); mask (T, B, 1) float, or empty (numel 0) for no padding
  /// (autograd functions take no undefined tensors). Steps run from T-1 to 0
  /// when `reverse`. `active`: empty, or T counts such that rows
  /// [0, active[t]) are real at step t (then `mask` must be empty and the
  /// tensors CPU float). Returns {outputs (T, B, H) zero at padding, h_T, c_T}.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx,
                                                const torch::Tensor& gates_x, const torch::Tensor& h0,
                                                const torch::Tensor& c0, const torch::Tensor& w_hh,
                                                const torch::Tensor& mask, bool reverse,
                                                const std::vector<int64_t>& active);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs);
};

}  // namespace attn::nn::detail
