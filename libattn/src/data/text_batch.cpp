// Padded tensor batches of encoded examples (see attn/data/text_batch.h).
#include "attn/data/text_batch.h"

#include <algorithm>
#include <numeric>

#include "attn/core/error.h"

namespace attn::data {

std::vector<EncodedExample> encode_dataset(const TextDataset& data, const Vocabulary& vocab) {
  std::vector<EncodedExample> encoded;
  encoded.reserve(data.examples.size());
  for (const TextExample& e : data.examples) encoded.push_back({vocab.encode(e.tokens), e.label});
  return encoded;
}

int64_t capped_length(int64_t length, int64_t max_length) {
  return max_length > 0 ? std::min(length, max_length) : length;
}

TextBatch make_batch(const std::vector<EncodedExample>& examples, const std::vector<int64_t>& indices,
                     const BatchOptions& options) {
  check(!indices.empty(), "make_batch: expected at least one example, got an empty batch");
  check(options.max_length == 0 || options.max_length >= 2,
        "max_length: expected 0 (no cap) or at least 2 (<bos> and <eos>), got {}", options.max_length);
  const int64_t n = static_cast<int64_t>(examples.size());
  for (int64_t index : indices) {
    check(index >= 0 && index < n, "make_batch: example index {} out of range [0, {})", index, n);
    check(!examples[static_cast<size_t>(index)].ids.empty(), "make_batch: example {} has no ids", index);
  }

  std::vector<int64_t> order = indices;
  const auto length_of = [&](int64_t index) {
    return capped_length(static_cast<int64_t>(examples[static_cast<size_t>(index)].ids.size()),
                         options.max_length);
  };
  if (options.sort_by_length)
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return length_of(a) > length_of(b); });

  const int64_t B = static_cast<int64_t>(order.size());
  int64_t L = 0;
  for (int64_t index : order) L = std::max(L, length_of(index));

  TextBatch batch;
  batch.ids = torch::zeros({B, L}, torch::kInt64);          // (B, L)
  batch.mask = torch::zeros({B, L}, torch::kBool);          // (B, L)
  batch.lengths = torch::zeros({B}, torch::kInt64);         // (B)
  batch.labels = torch::zeros({B}, torch::kFloat32);        // (B)
  auto ids = batch.ids.accessor<int64_t, 2>();
  auto mask = batch.mask.accessor<bool, 2>();
  auto lengths = batch.lengths.accessor<int64_t, 1>();
  auto labels = batch.labels.accessor<float, 1>();
  for (int64_t r = 0; r < B; ++r) {
    const EncodedExample& example = examples[static_cast<size_t>(order[static_cast<size_t>(r)])];
    const int64_t full = static_cast<int64_t>(example.ids.size());
    const int64_t len = length_of(order[static_cast<size_t>(r)]);
    for (int64_t j = 0; j < len; ++j) {
      // A capped sequence keeps its last id (<eos>) in its last slot.
      const int64_t source = (len < full && j == len - 1) ? full - 1 : j;
      ids[r][j] = example.ids[static_cast<size_t>(source)];
      mask[r][j] = true;
    }
    lengths[r] = len;
    labels[r] = static_cast<float>(example.label);
  }
  batch.order = std::move(order);
  return batch;
}

TextBatch make_batch(const std::vector<EncodedExample>& examples, const BatchOptions& options) {
  std::vector<int64_t> indices(examples.size());
  std::iota(indices.begin(), indices.end(), int64_t{0});
  return make_batch(examples, indices, options);
}

}  // namespace attn::data
