// Internal CPU kernels (float, contiguous) for the two pointwise hot spots:
// - the KTIW probe: act(a_t + c_l) for every (t, l) pair, written straight
//   into a GEMM-ready buffer (LibTorch's broadcast add plus Sleef tanh were
//   ~70% of a probe pass here; this loop is ~5x faster);
// - the LSTM and GRU cells between two recurrent GEMMs, forward and backward, as one
//   pass over the (B, 4H) gates instead of ~15 LibTorch ops per time step.
// tanh uses the rational approximation of Eigen's float tanh (|error| < 4e-7)
// and sigmoid(x) = (1 + tanh(x / 2)) / 2.
#pragma once

#include <cstdint>

namespace attn::nn::detail {

/// out[(t * L + l) * M + m] = tanh(a[t * M + m] + c[l * M + m]).
void pairwise_add_tanh(float* out, const float* a, const float* c, int64_t T, int64_t L, int64_t M);
/// Same with ReLU.
void pairwise_add_relu(float* out, const float* a, const float* c, int64_t T, int64_t L, int64_t M);
/// tanh(x) for n floats in place (the same approximation).
void tanh_inplace(float* x, int64_t n);

/// One LSTM step after the recurrent GEMM. `gates` (B, 4H): pre-activations
/// in (i, f, g, o), activations out. Reads the state entering the step
/// (h_prev, c_prev); writes tanh(c_new), the state leaving the step
/// (h_next, c_next) and the step's output. `mask` (B) or null: where 0 the
/// state is carried over unchanged and the output is 0 (torch::lerp semantics).
void lstm_cell_forward(float* gates, const float* h_prev, const float* c_prev, const float* mask, float* tanh_c,
                       float* h_next, float* c_next, float* output, int64_t B, int64_t H);

/// Its backward. In: activations `gates`, tanh_c, c_prev and mask of the step,
/// grad_output (B, H) or null, dh and dc (gradients w.r.t. the state leaving
/// the step). Out: d_gates (B, 4H) pre-activation gradients; dc becomes the
/// gradient w.r.t. c_prev; dh becomes the part of dh_prev that bypasses the
/// cell through the mask (zero without one): dh_prev = dh + d_gates W_hh.
void lstm_cell_backward(const float* gates, const float* tanh_c, const float* c_prev, const float* mask,
                        const float* grad_output, float* dh, float* dc, float* d_gates, int64_t B, int64_t H);

/// One GRU step after the recurrent GEMM. gates_x (B, 3H) input
/// pre-activations (r, z, n) with b_ih; hidden_gates (B, 3H) = W_hh h + b_hh.
/// Writes the activations (r, z, n) (B, 3H), the state leaving the step and
/// the step's output; `mask` as for the LSTM.
void gru_cell_forward(const float* gates_x, const float* hidden_gates, const float* h_prev, const float* mask,
                      float* activations, float* h_next, float* output, int64_t B, int64_t H);

/// Its backward. dh (in: gradient w.r.t. the state leaving the step; out: the
/// part of dh_prev that does not go through W_hh, so that
/// dh_prev = dh + d_hidden_gates W_hh). Writes d_gates_x and d_hidden_gates.
void gru_cell_backward(const float* activations, const float* hidden_gates, const float* h_prev, const float* mask,
                       const float* grad_output, float* dh, float* d_gates_x, float* d_hidden_gates, int64_t B,
                       int64_t H);

}  // namespace attn::nn::detail
