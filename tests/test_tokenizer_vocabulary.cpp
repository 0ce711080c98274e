// Tests for the tokenizer and the Vocabulary (attn/data/tokenizer.h,
// attn/data/vocabulary.h; PAPER.md section 2.3): token boundaries worked out by
// hand, frequency order with ties, encoding with <bos>/<eos>/<unk>, and the
// text file round trip with its error messages.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/data/tokenizer.h"
#include "attn/data/vocabulary.h"
#include "attn/io/files.h"
#include "temp_dir.h"

namespace {

using attn::data::tokenize;
using attn::data::Vocabulary;
using Tokens = std::vector<std::string>;

}  // namespace

TEST_CASE("tokenize splits words, punctuation and numbers", "[data]") {
  CHECK(tokenize("Hello, World! It's 3.5 dollars -- don't (1,000).") ==
        Tokens{"hello", ",", "world", "!", "it's", "3.5", "dollars", "-", "-", "don't", "(", "1,000", ")", "."});
  // A trailing dot after a number is punctuation; quotes around a word split off.
  CHECK(tokenize("In 2002.\t'Quoted'\nrock'n'roll") ==
        Tokens{"in", "2002", ".", "'", "quoted", "'", "rock'n'roll"});
  // UTF-8 bytes are word characters; ASCII and Latin-1 capitals are lowercased
  // (Ï = C3 8F -> ï = C3 AF), Greek is not (Σ stays), × (C3 97) is no capital.
  CHECK(tokenize("Café NAÏVE ΣA 2×3") == Tokens{"café", "naïve", "Σa", "2×3"});
  CHECK(tokenize("") == Tokens{});
  CHECK(tokenize(" \t\r\n ") == Tokens{});
  CHECK(tokenize("ABC", {/*lowercase=*/false}) == Tokens{"ABC"});
  CHECK(tokenize("v1.5,x") == Tokens{"v1.5", ",", "x"});
}

TEST_CASE("Vocabulary keeps tokens seen more than twice, most frequent first, ties by string", "[data]") {
  // Counts: a=3, b=3, c=2, d=1, e=4.
  const std::vector<Tokens> lists{{"b", "a", "c", "a"}, {"a", "b", "d"}, {"b", "c", "e", "e", "e", "e"}};
  const Vocabulary vocab = Vocabulary::build(lists);
  REQUIRE(vocab.tokens() == Tokens{"<pad>", "<bos>", "<eos>", "<unk>", "e", "a", "b"});
  CHECK(vocab.size() == 7);
  CHECK(vocab.id("e") == 4);
  CHECK(vocab.id("c") == Vocabulary::kUnk);  // seen only twice
  CHECK_FALSE(vocab.contains("c"));

  const Vocabulary two = Vocabulary::build(lists, attn::data::VocabularyOptions().min_count(2).max_tokens(0));
  CHECK(two.tokens() == Tokens{"<pad>", "<bos>", "<eos>", "<unk>", "e", "a", "b", "c"});
  const Vocabulary capped = Vocabulary::build(lists, attn::data::VocabularyOptions().min_count(1).max_tokens(2));
  CHECK(capped.tokens() == Tokens{"<pad>", "<bos>", "<eos>", "<unk>", "e", "a"});

  // Input order does not matter.
  const std::vector<Tokens> reversed{lists[2], lists[1], lists[0]};
  CHECK(Vocabulary::build(reversed) == vocab);

  CHECK_THROWS_AS(Vocabulary::build(lists, attn::data::VocabularyOptions().min_count(0)), attn::Error);
}

TEST_CASE("Vocabulary encodes with <bos>/<eos> and maps unknown tokens to <unk>", "[data]") {
  const Vocabulary vocab = Vocabulary::from_tokens({"e", "a", "b"});
  CHECK(vocab.encode({"a", "zzz", "e"}) == std::vector<int64_t>{1, 5, 3, 4, 2});
  CHECK(vocab.encode({}) == std::vector<int64_t>{1, 2});
  CHECK(vocab.decode({1, 5, 3, 4, 2, 0, 0}) == Tokens{"a", "<unk>", "e"});
  CHECK(vocab.token(6) == "b");
  CHECK_THROWS_AS(vocab.token(7), attn::Error);
  CHECK_THROWS_WITH(Vocabulary::from_tokens({"x", "<unk>"}), Catch::Contains("duplicate token '<unk>'"));
}

TEST_CASE("Vocabulary saves one token per line and loads it back", "[data]") {
  attn_test::TempDir dir("vocab");
  const Vocabulary vocab = Vocabulary::from_tokens({"the", ",", "movie", "café"});
  vocab.save(dir / "vocab.txt");
  CHECK(attn::io::read_text_file(dir / "vocab.txt") == "<pad>\n<bos>\n<eos>\n<unk>\nthe\n,\nmovie\ncafé\n");
  CHECK(Vocabulary::load(dir / "vocab.txt") == vocab);
}

TEST_CASE("Vocabulary::load names the file and line of a problem", "[data]") {
  attn_test::TempDir dir("vocab_errors");
  const std::string bad_special = dir.write("a.txt", "<pad>\n<eos>\n<eos>\n<unk>\nx\n").string();
  CHECK_THROWS_WITH(Vocabulary::load(bad_special),
                    bad_special + ":2: expected the special token '<bos>', got '<eos>'");
  const std::string duplicate = dir.write("b.txt", "<pad>\n<bos>\n<eos>\n<unk>\nx\ny\nx\n").string();
  CHECK_THROWS_WITH(Vocabulary::load(duplicate), Catch::StartsWith(duplicate + ":7: duplicate token 'x'"));
  const std::string empty_line = dir.write("c.txt", "<pad>\n<bos>\n<eos>\n<unk>\nx\n\ny\n").string();
  CHECK_THROWS_WITH(Vocabulary::load(empty_line), Catch::StartsWith(empty_line + ":6: expected a token"));
  const std::string short_file = dir.write("d.txt", "<pad>\n<bos>\n").string();
  CHECK_THROWS_WITH(Vocabulary::load(short_file), Catch::StartsWith(short_file + ":3:"));
  CHECK_THROWS_WITH(Vocabulary::load(dir / "missing.txt"), Catch::Contains("vocabulary file not found"));
}
