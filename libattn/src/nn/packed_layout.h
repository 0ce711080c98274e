// Internal: where the real tokens of a right-padded batch sit, in the layouts
// the CPU LSTM path moves between.
//
// - packed rows: the N real tokens in (b, t) order (mask.nonzero()), the
//   layout of input projections, dropout and everything between layers;
// - sorted time-major slots (T, B): slot (t, j) holds row order[j] at step t,
//   rows sorted longest first, so that step t runs only its first active[t]
//   slots (LSTMRecurrence's `active`).
//
// Legend: B = batch, T = time, N = real tokens.
#pragma once

#include <torch/types.h>

#include <optional>
#include <vector>

namespace attn::nn::detail {

struct PackedLayout {
  int64_t batch = 0, time = 0;
  torch::Tensor real;            // (N) flat b * T + t of each real token
  torch::Tensor slot;            // (N) its sorted time-major slot t * B + inverse[b]
  torch::Tensor order, inverse;  // (B) sorted position -> row, and back
  std::vector<int64_t> active;   // (T) rows still running at step t
};

/// The layout of `mask` (B, T) bool, or nothing when it is not right-padded
/// (then the callers keep their generic masked path).
std::optional<PackedLayout> packed_layout(const torch::Tensor& mask);

}  // namespace attn::nn::detail
