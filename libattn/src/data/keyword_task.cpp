// Synthetic keyword classification (see attn/data/keyword_task.h).
#include "attn/data/keyword_task.h"

#include <fmt/format.h>

#include <numeric>
#include <random>

#include "attn/core/error.h"
#include "attn/core/seeded_random.h"

namespace attn::data {

void validate(const KeywordTaskOptions& o) {
  check(o.vocab_size() >= 2, "keyword.vocab_size: expected at least 2 tokens, got {}", o.vocab_size());
  check(o.num_keywords() >= 1 && o.num_keywords() < o.vocab_size(),
        "keyword.num_keywords: expected 1 .. vocab_size - 1 = {}, got {}", o.vocab_size() - 1,
        o.num_keywords());
  check(o.min_length() >= 1, "keyword.min_length: expected at least 1, got {}", o.min_length());
  check(o.max_length() >= o.min_length(), "keyword.max_length: expected at least min_length = {}, got {}",
        o.min_length(), o.max_length());
}

std::vector<int64_t> keyword_ids(const KeywordTaskOptions& options) {
  validate(options);
  std::vector<int64_t> ids(static_cast<size_t>(options.num_keywords()));
  std::iota(ids.begin(), ids.end(), Vocabulary::kNumSpecials);
  return ids;
}

Vocabulary keyword_vocabulary(const KeywordTaskOptions& options) {
  validate(options);
  std::vector<std::string> tokens;
  for (int64_t i = 0; i < options.vocab_size(); ++i)
    tokens.push_back(fmt::format("{}{}", i < options.num_keywords() ? "kw" : "w", i));
  return Vocabulary::from_tokens(tokens, "keyword vocabulary");
}

KeywordData generate_keyword_data(int64_t count, const KeywordTaskOptions& options, uint64_t seed) {
  validate(options);
  check(count >= 0, "keyword data: expected a count >= 0, got {}", count);
  const int64_t first = Vocabulary::kNumSpecials;
  const int64_t K = options.num_keywords(), V = options.vocab_size();
  std::mt19937_64 rng(seed);
  KeywordData data;
  data.examples.reserve(static_cast<size_t>(count));
  data.salient.reserve(static_cast<size_t>(count));
  for (int64_t e = 0; e < count; ++e) {
    // The draw order below is part of the format: changing it changes the data.
    const int64_t n = uniform_int(rng, options.min_length(), options.max_length());
    const bool positive = uniform_int(rng, 0, 1) == 1;
    EncodedExample example;
    example.label = positive ? 1 : 0;
    example.ids.reserve(static_cast<size_t>(n + 2));
    example.ids.push_back(Vocabulary::kBos);
    for (int64_t i = 0; i < n; ++i) example.ids.push_back(first + K + uniform_int(rng, 0, V - K - 1));
    example.ids.push_back(Vocabulary::kEos);
    int64_t salient = -1;
    if (positive) {
      salient = 1 + uniform_int(rng, 0, n - 1);  // +1: <bos> is position 0
      example.ids[static_cast<size_t>(salient)] = first + uniform_int(rng, 0, K - 1);
    }
    data.examples.push_back(std::move(example));
    data.salient.push_back(salient);
  }
  return data;
}

KeywordBatch make_keyword_batch(const KeywordData& data, const std::vector<int64_t>& indices,
                                const BatchOptions& options) {
  check(data.salient.size() == data.examples.size(),
        "keyword batch: {} salient positions for {} examples", data.salient.size(), data.examples.size());
  KeywordBatch out;
  out.batch = make_batch(data.examples, indices, options);
  const int64_t B = static_cast<int64_t>(out.batch.order.size());
  out.salient = torch::empty({B}, torch::kInt64);  // (B)
  auto salient = out.salient.accessor<int64_t, 1>();
  auto lengths = out.batch.lengths.accessor<int64_t, 1>();
  for (int64_t r = 0; r < B; ++r) {
    const int64_t index = out.batch.order[static_cast<size_t>(r)];
    const int64_t position = data.salient[static_cast<size_t>(index)];
    // The last kept slot holds <eos>, so a keyword survives only before it.
    check(position < lengths[r] - 1,
          "max_length: {} cuts off the keyword of example {} (at position {}); raise it or use 0",
          options.max_length, index, position);
    salient[r] = position;
  }
  return out;
}

KeywordBatch make_keyword_batch(const KeywordData& data, const BatchOptions& options) {
  std::vector<int64_t> indices(data.examples.size());
  std::iota(indices.begin(), indices.end(), int64_t{0});
  return make_keyword_batch(data, indices, options);
}

}  // namespace attn::data
