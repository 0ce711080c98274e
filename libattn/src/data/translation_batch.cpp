// Padded batches of sentence pairs (see attn/data/translation_batch.h).
#include "attn/data/translation_batch.h"

#include <algorithm>
#include <numeric>

#include "attn/core/error.h"
#include "attn/core/host_to_device.h"

namespace attn::data {

int64_t TranslationBatch::target_tokens() const { return target_in.ne(pad_id).sum().item<int64_t>(); }

TranslationBatch TranslationBatch::to(const torch::Device& device) const {
  return {to_device(source, device), to_device(source_mask, device), to_device(target_in, device),
          to_device(target_out, device), pad_id};
}

TranslationBatch make_translation_batch(const std::vector<EncodedPair>& pairs, const std::vector<int64_t>& indices,
                                        int64_t pad_id) {
  check(!indices.empty(), "translation batch: expected at least one pair");
  const int64_t B = static_cast<int64_t>(indices.size());
  int64_t S = 0, T = 0;
  for (int64_t index : indices) {
    check(index >= 0 && index < static_cast<int64_t>(pairs.size()), "translation batch: pair {} out of range (0..{})",
          index, pairs.size());
    const auto& pair = pairs[index];
    check(!pair.source.empty(), "translation batch: pair {} has an empty source", index);
    check(pair.target.size() >= 2, "translation batch: pair {} has a target of {} ids; expected <s> ... </s>", index,
          pair.target.size());
    S = std::max<int64_t>(S, pair.source.size());
    T = std::max<int64_t>(T, pair.target.size() - 1);
  }
  auto source = torch::full({B, S}, pad_id, torch::kLong);
  auto target_in = torch::full({B, T}, pad_id, torch::kLong);
  auto target_out = torch::full({B, T}, pad_id, torch::kLong);
  auto* s = source.data_ptr<int64_t>();
  auto* ti = target_in.data_ptr<int64_t>();
  auto* to = target_out.data_ptr<int64_t>();
  for (int64_t r = 0; r < B; ++r) {
    const auto& pair = pairs[indices[r]];
    std::copy(pair.source.begin(), pair.source.end(), s + r * S);
    std::copy(pair.target.begin(), pair.target.end() - 1, ti + r * T);
    std::copy(pair.target.begin() + 1, pair.target.end(), to + r * T);
  }
  // The mask comes from the lengths, not from the ids, so a pad id inside a
  // sentence (never produced by the encoder) would still count as real.
  auto lengths = torch::empty({B}, torch::kLong);
  for (int64_t r = 0; r < B; ++r) lengths[r] = static_cast<int64_t>(pairs[indices[r]].source.size());
  auto source_mask = torch::arange(S).unsqueeze(0) < lengths.unsqueeze(1);
  return {source, source_mask, target_in, target_out, pad_id};
}

std::vector<std::vector<int64_t>> length_sorted_batches(const std::vector<EncodedPair>& pairs, int64_t count,
                                                        int64_t batch_size) {
  check(batch_size >= 1, "length_sorted_batches: batch_size must be at least 1, got {}", batch_size);
  count = std::min<int64_t>(count, pairs.size());
  std::vector<int64_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return pairs[a].source.size() > pairs[b].source.size(); });
  std::vector<std::vector<int64_t>> batches;
  for (int64_t start = 0; start < count; start += batch_size)
    batches.emplace_back(order.begin() + start, order.begin() + std::min(count, start + batch_size));
  return batches;
}

}  // namespace attn::data
