// Layouts of a right-padded batch (see packed_layout.h).
#include "packed_layout.h"

namespace attn::nn::detail {

std::optional<PackedLayout> packed_layout(const torch::Tensor& mask) {
  const int64_t B = mask.size(0), T = mask.size(1);
  auto lengths = mask.sum(1);  // (B) int64
  auto positions = torch::arange(T, lengths.options());
  if (!torch::equal(positions.unsqueeze(0) < lengths.unsqueeze(1), mask)) return std::nullopt;
  auto [sorted, order] = lengths.sort(/*stable=*/true, /*dim=*/0, /*descending=*/true);
  PackedLayout layout;
  layout.batch = B;
  layout.time = T;
  layout.order = order;
  layout.inverse = order.argsort();
  layout.active.assign(T, 0);
  auto sorted_lengths = sorted.accessor<int64_t, 1>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < sorted_lengths[b]; ++t) ++layout.active[t];
  layout.real = mask.reshape({B * T}).nonzero().squeeze(1);
  auto rows = layout.real.div(T, "floor"), steps = layout.real.remainder(T);
  layout.slot = steps * B + layout.inverse.index_select(0, rows);
  return layout;
}

}  // namespace attn::nn::detail
