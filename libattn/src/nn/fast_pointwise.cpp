// See fast_pointwise.h. The loops are plain C++ so the compiler vectorises
// them; on GCC/x86-64 each is also cloned for AVX2 and AVX-512 and the best
// clone is picked at load time (Debian builds for the x86-64 baseline).
#include "fast_pointwise.h"

#include <algorithm>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ATTN_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define ATTN_VECTOR_CLONES
#endif

namespace attn::nn::detail {

namespace {

// Eigen's ptanh_float: odd degree-13 / even degree-6 rational fit on [-9, 9];
// outside, tanh is 1 to float precision.
inline float rational_tanh(float x) {
  x = std::clamp(x, -9.0f, 9.0f);
  const float x2 = x * x;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return x * p / q;
}

inline float relu(float x) { return std::max(x, 0.0f); }

// out[(t * L + l) * M + m] = act(a[t * M + m] + c[l * M + m]); inlined into
// each exported (cloned) kernel so that it vectorises for that target.
template <float (*Act)(float)>
inline void pairwise_add(float* __restrict out, const float* __restrict a, const float* __restrict c, int64_t T,
                         int64_t L, int64_t M) {
  for (int64_t t = 0; t < T; ++t)
    for (int64_t l = 0; l < L; ++l) {
      const float* at = a + t * M;
      const float* cl = c + l * M;
      float* o = out + (t * L + l) * M;
      for (int64_t m = 0; m < M; ++m) o[m] = Act(at[m] + cl[m]);
    }
}

inline float rational_sigmoid(float x) { return 0.5f + 0.5f * rational_tanh(0.5f * x); }

// torch::lerp(from, to, w), bit for bit: exact at w = 0 and w = 1.
inline float lerp(float from, float to, float w) {
  return w < 0.5f ? from + w * (to - from) : to - (to - from) * (1.0f - w);
}

}  // namespace

ATTN_VECTOR_CLONES
void pairwise_add_tanh(float* out, const float* a, const float* c, int64_t T, int64_t L, int64_t M) {
  pairwise_add<rational_tanh>(out, a, c, T, L, M);
}

ATTN_VECTOR_CLONES
void pairwise_add_relu(float* out, const float* a, const float* c, int64_t T, int64_t L, int64_t M) {
  pairwise_add<relu>(out, a, c, T, L, M);
}

ATTN_VECTOR_CLONES
void tanh_inplace(float* __restrict x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] = rational_tanh(x[i]);
}

ATTN_VECTOR_CLONES
void lstm_cell_forward(float* __restrict gates, const float* __restrict h_prev, const float* __restrict c_prev,
                       const float* __restrict mask, float* __restrict tanh_c, float* __restrict h_next,
                       float* __restrict c_next, float* __restrict output, int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; ++b) {
    float* in = gates + b * 4 * H;
    float* forget = in + H;
    float* cell = in + 2 * H;
    float* out = in + 3 * H;
    const float* hp = h_prev + b * H;
    const float* cp = c_prev + b * H;
    float* tc = tanh_c + b * H;
    float* hn = h_next + b * H;
    float* cn = c_next + b * H;
    float* o = output + b * H;
    const float m = mask ? mask[b] : 1.0f;
    for (int64_t j = 0; j < H; ++j) {
      const float i_g = rational_sigmoid(in[j]), f_g = rational_sigmoid(forget[j]);
      const float g_g = rational_tanh(cell[j]), o_g = rational_sigmoid(out[j]);
      in[j] = i_g;
      forget[j] = f_g;
      cell[j] = g_g;
      out[j] = o_g;
      const float c_new = f_g * cp[j] + i_g * g_g;
      const float t = rational_tanh(c_new);
      const float h_new = o_g * t;
      tc[j] = t;
      // Without a mask m = 1 and lerp returns h_new / c_new exactly; one
      // branch-free body keeps the loop vectorisable.
      const float h_kept = lerp(hp[j], h_new, m);
      hn[j] = h_kept;
      cn[j] = lerp(cp[j], c_new, m);
      o[j] = h_kept * m;
    }
  }
}

ATTN_VECTOR_CLONES
void lstm_cell_backward(const float* __restrict gates, const float* __restrict tanh_c,
                        const float* __restrict c_prev, const float* __restrict mask,
                        const float* __restrict grad_output, float* __restrict dh, float* __restrict dc,
                        float* __restrict d_gates, int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; ++b) {
    const float* in = gates + b * 4 * H;
    const float* forget = in + H;
    const float* cell = in + 2 * H;
    const float* out = in + 3 * H;
    const float* tc = tanh_c + b * H;
    const float* cp = c_prev + b * H;
    const float* go = grad_output ? grad_output + b * H : nullptr;
    float* dhb = dh + b * H;
    float* dcb = dc + b * H;
    float* d_in = d_gates + b * 4 * H;
    float* d_forget = d_in + H;
    float* d_cell = d_in + 2 * H;
    float* d_out = d_in + 3 * H;
    const float m = mask ? mask[b] : 1.0f;
    for (int64_t j = 0; j < H; ++j) {
      // The step's output is h_next * m, and h_next = lerp(h_prev, h_new, m).
      const float dh_total = dhb[j] + (go ? go[j] * m : 0.0f);
      const float dh_new = dh_total * m, dc_in = dcb[j] * m;
      const float dc_new = dc_in + dh_new * out[j] * (1.0f - tc[j] * tc[j]);
      d_in[j] = dc_new * cell[j] * in[j] * (1.0f - in[j]);
      d_forget[j] = dc_new * cp[j] * forget[j] * (1.0f - forget[j]);
      d_cell[j] = dc_new * in[j] * (1.0f - cell[j] * cell[j]);
      d_out[j] = dh_new * tc[j] * out[j] * (1.0f - out[j]);
      dcb[j] = dc_new * forget[j] + (dcb[j] - dc_in);
      dhb[j] = dh_total - dh_new;
    }
  }
}

ATTN_VECTOR_CLONES
void gru_cell_forward(const float* __restrict gates_x, const float* __restrict hidden_gates,
                      const float* __restrict h_prev, const float* __restrict mask, float* __restrict activations,
                      float* __restrict h_next, float* __restrict output, int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; ++b) {
    const float* gx = gates_x + b * 3 * H;
    const float* gh = hidden_gates + b * 3 * H;
    const float* hp = h_prev + b * H;
    float* act = activations + b * 3 * H;
    float* hn = h_next + b * H;
    float* o = output + b * H;
    const float m = mask ? mask[b] : 1.0f;
    for (int64_t j = 0; j < H; ++j) {
      const float r = rational_sigmoid(gx[j] + gh[j]);
      const float z = rational_sigmoid(gx[H + j] + gh[H + j]);
      const float n = rational_tanh(gx[2 * H + j] + r * gh[2 * H + j]);
      act[j] = r;
      act[H + j] = z;
      act[2 * H + j] = n;
      const float h_kept = lerp(hp[j], n + z * (hp[j] - n), m);
      hn[j] = h_kept;
      o[j] = h_kept * m;
    }
  }
}

ATTN_VECTOR_CLONES
void gru_cell_backward(const float* __restrict activations, const float* __restrict hidden_gates,
                       const float* __restrict h_prev, const float* __restrict mask,
                       const float* __restrict grad_output, float* __restrict dh, float* __restrict d_gates_x,
                       float* __restrict d_hidden_gates, int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; ++b) {
    const float* act = activations + b * 3 * H;
    const float* gh = hidden_gates + b * 3 * H;
    const float* hp = h_prev + b * H;
    const float* go = grad_output ? grad_output + b * H : nullptr;
    float* dhb = dh + b * H;
    float* dgx = d_gates_x + b * 3 * H;
    float* dgh = d_hidden_gates + b * 3 * H;
    const float m = mask ? mask[b] : 1.0f;
    for (int64_t j = 0; j < H; ++j) {
      const float r = act[j], z = act[H + j], n = act[2 * H + j];
      const float dh_total = dhb[j] + (go ? go[j] * m : 0.0f);
      const float dh_new = dh_total * m;  // h_new = n + z (h_prev - n)
      const float dn_pre = dh_new * (1.0f - z) * (1.0f - n * n);
      const float dr_pre = dn_pre * gh[2 * H + j] * r * (1.0f - r);
      const float dz_pre = dh_new * (hp[j] - n) * z * (1.0f - z);
      dgx[j] = dr_pre;
      dgx[H + j] = dz_pre;
      dgx[2 * H + j] = dn_pre;
      dgh[j] = dr_pre;
      dgh[H + j] = dz_pre;
      dgh[2 * H + j] = dn_pre * r;
      dhb[j] = (dh_total - dh_new) + dh_new * z;
    }
  }
}

}  // namespace attn::nn::detail
