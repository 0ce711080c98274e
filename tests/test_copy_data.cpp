// Copy-task data: layout, ranges, no repeats, permutations cover the whole
// vocabulary, determinism in (seed, index), and checked options.
#include <catch2/catch.hpp>

#include <set>

#include "attn/core/error.h"
#include "attn/data/copy_data.h"

using attn::data::CopyTaskOptions;

TEST_CASE("copy batch layout: EOS/SOS and gold alignment", "[data][copy]") {
  CopyTaskOptions options;
  options.vocab(60).length(40);
  attn::data::CopyVocabulary vocabulary{60};
  auto batch = attn::data::make_copy_batch(options, vocabulary, 16, 3, 0);
  REQUIRE(batch.source.sizes() == torch::IntArrayRef({16, 41}));
  CHECK(batch.source.select(1, 40).eq(60).all().item<bool>());        // EOS closes the source
  CHECK(batch.target_in.select(1, 0).eq(61).all().item<bool>());      // SOS opens the decoder input
  CHECK(batch.target_in.narrow(1, 1, 40).equal(batch.source.narrow(1, 0, 40)));
  CHECK(batch.target_out.equal(batch.source));
  CHECK(batch.gold_alignment[5].equal(torch::arange(41)));
  CHECK(batch.source.narrow(1, 0, 40).lt(60).all().item<bool>());
}

TEST_CASE("no repeats: a permutation of 40 covers the whole vocabulary", "[data][copy]") {
  for (int64_t vocab : {40, 60}) {
    CopyTaskOptions options;
    options.vocab(vocab).length(40);
    auto batch = attn::data::make_copy_batch(options, {60}, 32, 11, 4);
    for (int64_t b = 0; b < 32; ++b) {
      auto row = batch.source[b].narrow(0, 0, 40);
      std::set<int64_t> tokens;
      for (int64_t i = 0; i < 40; ++i) tokens.insert(row[i].item<int64_t>());
      CHECK(tokens.size() == 40);
      CHECK(*tokens.rbegin() < vocab);
      if (vocab == 40) CHECK((*tokens.begin() == 0 && *tokens.rbegin() == 39));
    }
  }
}

TEST_CASE("40 of 60 uses every token over many sequences, roughly uniformly", "[data][copy]") {
  CopyTaskOptions options;
  options.vocab(60).length(40);
  auto batch = attn::data::make_copy_batch(options, {60}, 600, 5, 1);
  auto counts = torch::bincount(batch.source.narrow(1, 0, 40).flatten(), {}, 60).to(torch::kDouble);
  // Each token appears in a sequence with probability 2/3: 400 +- ~12 per token.
  CHECK(counts.min().item<double>() > 340);
  CHECK(counts.max().item<double>() < 460);
}

TEST_CASE("with repeats tokens recur and stay in range", "[data][copy]") {
  CopyTaskOptions options;
  options.vocab(5).length(20).repeats(true);
  auto batch = attn::data::make_copy_batch(options, {5}, 8, 1, 0);
  auto content = batch.source.narrow(1, 0, 20);
  CHECK(content.ge(0).all().item<bool>());
  CHECK(content.lt(5).all().item<bool>());
  CHECK(std::get<0>(at::_unique(content[0])).size(0) <= 5);
}

TEST_CASE("batches are a function of (seed, index)", "[data][copy]") {
  CopyTaskOptions options;
  auto a = attn::data::make_copy_batch(options, {40}, 4, 7, 3);
  auto b = attn::data::make_copy_batch(options, {40}, 4, 7, 3);
  auto c = attn::data::make_copy_batch(options, {40}, 4, 7, 4);
  auto d = attn::data::make_copy_batch(options, {40}, 4, 8, 3);
  CHECK(a.source.equal(b.source));
  CHECK_FALSE(a.source.equal(c.source));
  CHECK_FALSE(a.source.equal(d.source));
}

TEST_CASE("impossible copy options are rejected with the field named", "[data][copy]") {
  CopyTaskOptions options;
  options.vocab(10).length(20);
  CHECK_THROWS_WITH(attn::data::validate(options, {10}, "data"), Catch::Contains("data.length"));
  options.length(5);
  CHECK_THROWS_WITH(attn::data::validate(options, {8}, "data"), Catch::Contains("exceeds the model vocabulary"));
}
