// SentencePiece (attn/data/sentencepiece_vocabulary.h) on a small generated
// corpus: training twice gives the same model, the control ids are pinned,
// encode/decode round-trips, and the cache returns a model without training.
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/core/seeded_random.h"
#include "attn/data/sentencepiece_vocabulary.h"
#include "temp_dir.h"

namespace d = attn::data;
using Vocab = d::SentencePieceVocabulary;

namespace {

// 3000 sentences of 4-10 words drawn from a few real words and 300 made of
// random syllables (enough text for 200 pieces), "¤" among them.
std::vector<std::string> generated_corpus() {
  // (Only letters the syllables use often: a character rarer than 0.05% of the
  // text falls outside the default character coverage and becomes <unk>.)
  std::vector<std::string> words = {"the", "file", "cannot", "be", "datei", "kann", "nicht", "fehler", "ungültig", "¤"};
  const std::vector<std::string> syllables = {"ka",  "lo", "mi", "ter", "ung", "sch", "ver", "ti", "on", "ä",
                                              "ber", "st", "ra", "en",  "ge",  "ü",   "qu",  "ox", "ly", "ne"};
  std::mt19937_64 rng(5);
  for (int w = 0; w < 300; ++w) {
    std::string word;
    for (int64_t s = attn::uniform_int(rng, 1, 4); s > 0; --s)
      word += syllables[attn::uniform_below(rng, syllables.size())];
    words.push_back(word);
  }
  std::vector<std::string> sentences;
  for (int i = 0; i < 3000; ++i) {
    const int64_t n = attn::uniform_int(rng, 4, 10);
    std::string s;
    for (int64_t k = 0; k < n; ++k) s += (k ? " " : "") + words[attn::uniform_below(rng, words.size())];
    sentences.push_back(s + (i % 4 ? "" : " ¤") + (i % 3 ? "." : ":"));  // "¤" as common as in messages
  }
  return sentences;
}

d::SentencePieceOptions small() {
  d::SentencePieceOptions options;
  options.vocab_size = 200;
  return options;
}

}  // namespace

TEST_CASE("sentencepiece: one thread trains the same model twice, ids and round trip", "[translation-data]") {
  const auto corpus = generated_corpus();
  const Vocab first = Vocab::train(corpus, small());
  const Vocab second = Vocab::train(corpus, small());
  CHECK(first.size() == 200);
  CHECK(first.serialized() == second.serialized());
  std::vector<int64_t> all(200);
  for (int64_t i = 0; i < 200; ++i) all[static_cast<size_t>(i)] = i;
  CHECK(first.pieces(all) == second.pieces(all));

  CHECK(first.piece(Vocab::kPad) == "<pad>");
  CHECK(first.piece(Vocab::kBos) == "<s>");
  CHECK(first.piece(Vocab::kEos) == "</s>");
  CHECK(first.piece(Vocab::kUnk) == "<unk>");

  for (const std::string& sentence : {corpus[0], corpus[1], std::string("the datei ¤ kann nicht: ungültig.")}) {
    INFO(sentence);
    const std::vector<int64_t> ids = first.encode(sentence);
    REQUIRE(!ids.empty());
    for (int64_t id : ids) CHECK((id > Vocab::kUnk && id < 200));
    CHECK(first.decode(ids) == sentence);
    const std::vector<int64_t> framed = d::with_bos_eos(ids);
    CHECK(framed.front() == Vocab::kBos);
    CHECK(framed.back() == Vocab::kEos);
    CHECK(framed.size() == ids.size() + 2);
    std::vector<int64_t> padded = framed;
    padded.insert(padded.end(), {Vocab::kPad, Vocab::kPad});
    CHECK(first.decode(padded) == sentence);  // control ids vanish
    std::string joined;  // the pieces spell the sentence, "\xE2\x96\x81" (U+2581) standing for a space
    for (const std::string& piece : first.pieces(ids)) joined += piece;
    for (size_t at; (at = joined.find("\xE2\x96\x81")) != std::string::npos;) joined.replace(at, 3, " ");
    CHECK(joined == " " + sentence);
  }
  // "¤" occurs in the training text often enough to be a piece of its own.
  const auto placeholder = first.encode("¤");
  REQUIRE(placeholder.size() <= 2);
  CHECK(first.pieces(placeholder).back().find("¤") != std::string::npos);
  // A character never seen is unknown.
  const auto unknown = first.encode("Ω");
  CHECK(std::find(unknown.begin(), unknown.end(), Vocab::kUnk) != unknown.end());
  CHECK_THROWS_WITH(first.decode({5, 200}), Catch::Contains("id 200 is outside the vocabulary [0, 200)"));
}

TEST_CASE("sentencepiece: a cached model is loaded, not trained again", "[translation-data]") {
  attn_test::TempDir tmp("sentencepiece");
  const auto corpus = generated_corpus();
  const d::CachedSentencePiece trained = d::train_or_load(corpus, small(), tmp / "cache");
  CHECK(trained.trained);
  REQUIRE(std::filesystem::is_regular_file(trained.file));
  CHECK(trained.file.filename() == "sentencepiece-" + d::sentencepiece_cache_key(corpus, small()) + ".model");
  struct stat before {};
  REQUIRE(::stat(trained.file.c_str(), &before) == 0);

  const d::CachedSentencePiece cached = d::train_or_load(corpus, small(), tmp / "cache");
  CHECK_FALSE(cached.trained);
  CHECK(cached.file == trained.file);
  CHECK(cached.vocabulary.serialized() == trained.vocabulary.serialized());
  struct stat after {};
  REQUIRE(::stat(cached.file.c_str(), &after) == 0);
  CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
  CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);

  // Other input or other options: another key.
  auto fewer = corpus;
  fewer.pop_back();
  CHECK(d::sentencepiece_cache_key(fewer, small()) != d::sentencepiece_cache_key(corpus, small()));
  d::SentencePieceOptions bigger = small();
  bigger.vocab_size = 201;
  CHECK(d::sentencepiece_cache_key(corpus, bigger) != d::sentencepiece_cache_key(corpus, small()));
  // Sentence boundaries count: {"ab", "c"} is not {"a", "bc"}.
  CHECK(d::sentencepiece_cache_key({"ab", "c"}, small()) != d::sentencepiece_cache_key({"a", "bc"}, small()));

  const std::string args = d::sentencepiece_trainer_args({});
  CHECK_THAT(args, Catch::Contains("--vocab_size=8000") && Catch::Contains("--num_threads=1") &&
                       Catch::Contains("--model_type=unigram") &&
                       Catch::Contains("--pad_id=0 --bos_id=1 --eos_id=2 "
                                       "--unk_id=3"));
}

TEST_CASE("sentencepiece: errors name what was wrong", "[translation-data]") {
  attn_test::TempDir tmp("sentencepiece_errors");
  d::SentencePieceOptions huge;
  huge.vocab_size = 100000;
  CHECK_THROWS_WITH(Vocab::train({"a tiny corpus", "of two lines"}, huge),
                    Catch::Contains("sentencepiece: training failed") && Catch::Contains("Vocabulary size too high"));
  CHECK_THROWS_WITH(Vocab::train({}, small()), Catch::Contains("sentencepiece: no training sentences"));
  CHECK_THROWS_WITH(Vocab::load(tmp / "none.model"), Catch::Contains("none.model: SentencePiece model not found"));
  CHECK_THROWS_WITH(Vocab::load(tmp.write("junk.model", "not a model")),
                    Catch::Contains("junk.model: not a SentencePiece model"));
  d::SentencePieceOptions tiny;
  tiny.vocab_size = 3;
  CHECK_THROWS_WITH(Vocab::train({"x"}, tiny), Catch::Contains("vocab_size: expected more than the 4 control ids"));
}
