// Tests for the synthetic keyword task (attn/data/keyword_task.h) and the
// portable random helpers it is built on (attn/core/seeded_random.h): the
// label agrees with the presence of a keyword, the salient position points at
// it, a seed reproduces the data, and the helpers match values derived by hand
// from the standard-mandated std::mt19937_64 output.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "attn/core/error.h"
#include "attn/core/seeded_random.h"
#include "attn/data/keyword_task.h"

namespace {

using attn::data::KeywordTaskOptions;

bool is_keyword(int64_t id, const KeywordTaskOptions& o) { return id >= 4 && id < 4 + o.num_keywords(); }

}  // namespace

TEST_CASE("uniform_below and uniform_int are portable and unbiased", "[data]") {
  // The C++ standard fixes mt19937_64's first output for the default seed 5489:
  // 14514284786278117030. For n = 2^63 nothing is rejected and the draw is
  // taken mod 2^63: 14514284786278117030 - 9223372036854775808.
  std::mt19937_64 rng(5489);
  CHECK(attn::uniform_below(rng, uint64_t{1} << 63) == 5290912749423341222ULL);
  // A one-value range never needs the generator's value.
  CHECK(attn::uniform_int(rng, -3, -3) == -3);

  // 60000 draws of [0, 5]: each count is 10000 +- 4 standard deviations (~91 each).
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 60000; ++i) ++counts[static_cast<size_t>(attn::uniform_int(rng, 0, 5))];
  for (int c : counts) CHECK(std::abs(c - 10000) < 400);

  std::vector<int> items{0, 1, 2, 3, 4, 5, 6, 7};
  attn::shuffle_in_place(items, rng);
  std::vector<int> sorted = items;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});  // a permutation
  CHECK_THROWS_AS(attn::uniform_int(rng, 2, 1), attn::Error);
}

TEST_CASE("keyword data: label 1 iff exactly one keyword, at the salient position", "[data]") {
  const auto options = KeywordTaskOptions().vocab_size(20).num_keywords(3).min_length(5).max_length(9);
  const auto data = attn::data::generate_keyword_data(2000, options, 7);
  REQUIRE(data.examples.size() == 2000);
  REQUIRE(data.salient.size() == 2000);
  int positives = 0;
  std::vector<int> lengths_seen(10, 0);
  for (size_t e = 0; e < data.examples.size(); ++e) {
    const auto& ids = data.examples[e].ids;
    const int64_t n = static_cast<int64_t>(ids.size()) - 2;
    REQUIRE(n >= 5);
    REQUIRE(n <= 9);
    ++lengths_seen[static_cast<size_t>(n)];
    CHECK(ids.front() == attn::data::Vocabulary::kBos);
    CHECK(ids.back() == attn::data::Vocabulary::kEos);
    int keywords = 0;
    for (size_t j = 1; j + 1 < ids.size(); ++j) {
      REQUIRE(ids[j] >= 4);
      REQUIRE(ids[j] < 24);
      keywords += is_keyword(ids[j], options);
    }
    const int label = data.examples[e].label;
    positives += label;
    CHECK(keywords == label);
    if (label == 1) {
      const int64_t s = data.salient[e];
      REQUIRE(s >= 1);
      REQUIRE(s <= n);
      CHECK(is_keyword(ids[static_cast<size_t>(s)], options));
    } else {
      CHECK(data.salient[e] == -1);
    }
  }
  CHECK(std::abs(positives - 1000) < 90);  // a fair coin: sd = sqrt(2000)/2 ~ 22
  for (int n = 5; n <= 9; ++n) CHECK(lengths_seen[static_cast<size_t>(n)] > 300);  // ~400 each
}

TEST_CASE("keyword data is a pure function of the seed", "[data]") {
  const auto options = KeywordTaskOptions().vocab_size(50).num_keywords(2).min_length(3).max_length(12);
  const auto a = attn::data::generate_keyword_data(50, options, 123);
  const auto b = attn::data::generate_keyword_data(50, options, 123);
  const auto c = attn::data::generate_keyword_data(50, options, 124);
  bool same = true, differs = false;
  for (size_t e = 0; e < 50; ++e) {
    same = same && a.examples[e].ids == b.examples[e].ids && a.salient[e] == b.salient[e];
    differs = differs || a.examples[e].ids != c.examples[e].ids;
  }
  CHECK(same);
  CHECK(differs);
}

TEST_CASE("keyword batches carry salient positions in row order", "[data]") {
  const auto options = KeywordTaskOptions().vocab_size(10).num_keywords(2).min_length(2).max_length(8);
  const auto data = attn::data::generate_keyword_data(40, options, 3);
  attn::data::BatchOptions sorted;
  sorted.sort_by_length = true;
  const auto kb = attn::data::make_keyword_batch(data, sorted);
  const int64_t B = kb.batch.ids.size(0);
  REQUIRE(B == 40);
  auto ids = kb.batch.ids.accessor<int64_t, 2>();
  for (int64_t r = 0; r < B; ++r) {
    const size_t e = static_cast<size_t>(kb.batch.order[static_cast<size_t>(r)]);
    const int64_t s = kb.salient[r].item<int64_t>();
    CHECK(s == data.salient[e]);
    CHECK(kb.batch.labels[r].item<float>() == static_cast<float>(data.examples[e].label));
    if (s >= 0) CHECK(is_keyword(ids[r][s], options));
    if (r > 0) CHECK(kb.batch.lengths[r].item<int64_t>() <= kb.batch.lengths[r - 1].item<int64_t>());
  }
  const auto vocab = attn::data::keyword_vocabulary(options);
  CHECK(vocab.size() == 14);
  CHECK(vocab.token(4) == "kw0");
  CHECK(vocab.token(6) == "w2");
  CHECK(attn::data::keyword_ids(options) == std::vector<int64_t>{4, 5});

  attn::data::BatchOptions too_short;
  too_short.max_length = 2;  // room for <bos> <eos> only: every keyword is cut
  CHECK_THROWS_WITH(attn::data::make_keyword_batch(data, too_short), Catch::StartsWith("max_length: 2 cuts off"));
  CHECK_THROWS_WITH(attn::data::validate(KeywordTaskOptions().vocab_size(5).num_keywords(5)),
                    Catch::StartsWith("keyword.num_keywords"));
}
