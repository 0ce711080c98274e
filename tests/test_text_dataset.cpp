// Tests for the text data set readers and padded batches
// (attn/data/text_dataset.h, attn/data/text_batch.h; PAPER.md section 2.3):
// each format read from a small file written here, its one-line errors, and
// the (B, L) ids/mask/labels tensors checked entry by entry.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/data/text_batch.h"
#include "attn/data/text_dataset.h"
#include "temp_dir.h"

namespace {

using attn::data::EncodedExample;
using attn::data::TextDataset;
using Tokens = std::vector<std::string>;

// The entries of a 1-D tensor as int64.
std::vector<int64_t> values(const torch::Tensor& t) {
  const torch::Tensor x = t.to(torch::kInt64).contiguous();
  return std::vector<int64_t>(x.data_ptr<int64_t>(), x.data_ptr<int64_t>() + x.numel());
}
std::vector<int64_t> row(const torch::Tensor& t, int64_t r) { return values(t[r]); }

}  // namespace

TEST_CASE("read_imdb_split reads neg then pos, files in name order", "[data]") {
  attn_test::TempDir dir("imdb");
  dir.write("aclImdb/train/pos/1_10.txt", "Loved it.<br /><br />Great!");
  dir.write("aclImdb/train/pos/0_7.txt", "Fine film");
  dir.write("aclImdb/train/neg/2_1.txt", "Awful");
  dir.write("aclImdb/train/neg/notes.md", "not a review");
  dir.write("aclImdb/train/unsup/3_0.txt", "ignored");
  const TextDataset data = attn::data::read_imdb_split(dir / "aclImdb", "train");
  REQUIRE(data.size() == 3);
  CHECK(data.examples[0].tokens == Tokens{"awful"});
  CHECK(data.examples[0].label == 0);
  CHECK(data.examples[1].tokens == Tokens{"fine", "film"});  // "0_7.txt" < "1_10.txt"
  CHECK(data.examples[2].tokens == Tokens{"loved", "it", ".", "great", "!"});
  CHECK(data.examples[2].label == 1);
  CHECK(data.label_counts() == std::array<int64_t, 2>{1, 2});

  CHECK_THROWS_WITH(attn::data::read_imdb_split(dir / "aclImdb", "test"), Catch::Contains("test/neg"));
  CHECK_THROWS_WITH(attn::data::read_imdb_split(dir / "nowhere", "train"),
                    Catch::Contains("aclImdb folder not found"));
  dir.write("empty/train/pos/.keep", "");
  dir.write("empty/train/neg/.keep", "");
  CHECK_THROWS_WITH(attn::data::read_imdb_split(dir / "empty", "train"), Catch::Contains("found none"));
}

TEST_CASE("parse_delimited reads label<TAB>text lines", "[data]") {
  const TextDataset data = attn::data::parse_delimited("1\tGreat movie!\r\n\n0\tBad, bad.\n", "mem.tsv");
  REQUIRE(data.size() == 2);
  CHECK(data.examples[0].tokens == Tokens{"great", "movie", "!"});
  CHECK(data.examples[0].label == 1);
  CHECK(data.examples[1].tokens == Tokens{"bad", ",", "bad", "."});
  CHECK(data.examples[1].label == 0);
  CHECK(data.token_lists() == std::vector<Tokens>{{"great", "movie", "!"}, {"bad", ",", "bad", "."}});
}

TEST_CASE("parse_delimited takes named classes, CSV quoting and a header", "[data]") {
  attn::data::DelimitedOptions options;
  options.separator = ',';
  options.class_names = {"ham", "spam"};
  options.header = true;
  const TextDataset data =
      attn::data::parse_delimited("v1,v2\nspam,\"Win \"\"cash\"\", now\"\nham,see you, then\n", "sms.csv", options);
  REQUIRE(data.size() == 2);
  CHECK(data.examples[0].label == 1);
  CHECK(data.examples[0].tokens == Tokens{"win", "\"", "cash", "\"", ",", "now"});
  CHECK(data.examples[1].label == 0);
  CHECK(data.examples[1].tokens == Tokens{"see", "you", ",", "then"});
}

TEST_CASE("delimited readers name the file and line of a bad line", "[data]") {
  using attn::data::parse_delimited;
  CHECK_THROWS_WITH(parse_delimited("1\tok\n0\tfine\n2\tthree\n", "d.tsv"),
                    "d.tsv:3: expected the label '0' or '1', got '2'");
  CHECK_THROWS_WITH(parse_delimited("1\tok\nno separator here\n", "d.tsv"),
                    Catch::StartsWith("d.tsv:2: expected 'label<TAB>text'"));
  CHECK_THROWS_WITH(parse_delimited("1\t  \n", "d.tsv"), "d.tsv:1: expected text after the label, got none");
  CHECK_THROWS_WITH(parse_delimited("\n\n", "d.tsv"), Catch::Contains("the data set is empty"));
  attn::data::DelimitedOptions named;
  named.class_names = {"ham", "spam"};
  CHECK_THROWS_WITH(parse_delimited("ham\thi\n1\tx\n", "s.tsv", named),
                    "s.tsv:2: expected the label 'ham' or 'spam', got '1'");
  CHECK_THROWS_WITH(attn::data::read_delimited("/nonexistent/x.tsv"), "/nonexistent/x.tsv: data file not found");

  attn_test::TempDir dir("delimited");
  const auto file = dir.write("t.tsv", "0\tone\n1\ttwo words\n");
  CHECK(attn::data::read_delimited(file).size() == 2);
}

TEST_CASE("parse_json_dataset reads the paper's vocab + XY format", "[data]") {
  const std::string json = R"({"vocab": ["<pad>", "<bos>", "<eos>", "<unk>", "good", "bad", "movie"],
    "XY": [[[1, 4, 6, 2, 0, 0], 1], [[5, 6], 0]]})";
  const TextDataset data = attn::data::parse_json_dataset(json, "d.json");
  REQUIRE(data.size() == 2);
  CHECK(data.examples[0].tokens == Tokens{"good", "movie"});
  CHECK(data.examples[0].label == 1);
  CHECK(data.examples[1].tokens == Tokens{"bad", "movie"});
  CHECK(data.examples[1].label == 0);
  CHECK(data.vocab.size() == 7);

  using attn::data::parse_json_dataset;
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a"], "XY": [[[0], 1], [[0], 2]]})", "d.json"),
                    "d.json: XY[1]: expected the label 0 or 1, got '2'");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a", "b"], "XY": [[[0, 7], 1]]})", "d.json"),
                    "d.json: XY[0][0][1]: expected a token id in [0, 2), got '7'");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a"]})", "d.json"),
                    "d.json: XY: expected a list of [token ids, label] pairs");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a"], "XY": [[0, 1]]})", "d.json"),
                    "d.json: XY[0]: expected [[token ids], label]");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a"], "XY": []})", "d.json"),
                    Catch::Contains("expected at least one example"));
  CHECK_THROWS_WITH(parse_json_dataset("{\"vocab\": [\"a\",\n ]]", "d.json"),
                    Catch::StartsWith("d.json:2: JSON syntax error"));
}

TEST_CASE("parse_json_dataset: key order, scalars as before, strict JSON, first error in a fixed order", "[data]") {
  using attn::data::parse_json_dataset;
  // XY before vocab; ids and labels may be integers or strings holding one; other keys ignored.
  const TextDataset data = parse_json_dataset(
      R"({"XY": [[[1, "4", 3], "1"], [[5], 0]], "meta": {"XY": 1, "vocab": [[]]}, "vocab": ["<pad>", "<bos>", "<eos>", 7, true, "x"]})",
      "d.json");
  REQUIRE(data.size() == 2);
  CHECK(data.examples[0].tokens == Tokens{"true", "7"});
  CHECK(data.examples[0].label == 1);
  CHECK(data.examples[1].tokens == Tokens{"x"});
  CHECK(data.vocab == Tokens{"<pad>", "<bos>", "<eos>", "7", "true", "x"});

  CHECK_THROWS_WITH(parse_json_dataset(R"(["vocab", "XY"])", "d.json"),
                    "d.json: expected a JSON object with \"vocab\" and \"XY\"");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"XY": [[[0], 1]], "vocab": "a"})", "d.json"),
                    "d.json: vocab: expected a list of words");
  // vocab is checked before XY, wherever each is in the file.
  CHECK_THROWS_WITH(parse_json_dataset(R"({"XY": [[0, 1]], "vocab": ["a", null]})", "d.json"),
                    "d.json: vocab[1]: expected a word (string)");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": [], "XY": [[[0], 1]]})", "d.json"),
                    "d.json: vocab: expected a non-empty list of words");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a"], "XY": [[[0], 1, 2]]})", "d.json"),
                    "d.json: XY[0]: expected [[token ids], label]");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a"], "XY": [[[0], [1]]]})", "d.json"),
                    "d.json: XY[0]: expected [[token ids], label]");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a"], "XY": [[[0], 1.0]]})", "d.json"),
                    "d.json: XY[0]: expected the label 0 or 1, got '1.0'");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a"], "XY": [[[0, [0]], 1]]})", "d.json"),
                    "d.json: XY[0][0][1]: expected a token id in [0, 1), got 'a list'");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a"], "XY": [[[0, -3], 1]]})", "d.json"),
                    "d.json: XY[0][0][1]: expected a token id in [0, 1), got '-3'");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a"], "XY": [[[0, 2.5], 1]]})", "d.json"),
                    "d.json: XY[0][0][1]: expected a token id in [0, 1), got '2.5'");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["a"], "XY": [[[0, 99999999999999999999], 1]]})", "d.json"),
                    "d.json: XY[0][0][1]: expected a token id in [0, 1), got '99999999999999999999'");
  CHECK_THROWS_WITH(parse_json_dataset(R"({"vocab": ["<pad>"], "XY": [[[0, 0], 1]]})", "d.json"),
                    "d.json: XY[0]: expected at least one token id, got none");
  // Strict JSON: what YAML would have accepted is a syntax error naming the line.
  CHECK_THROWS_WITH(parse_json_dataset("{\"vocab\": ['a'], \"XY\": []}", "d.json"),
                    Catch::StartsWith("d.json:1: JSON syntax error"));
  CHECK_THROWS_WITH(parse_json_dataset("{\"vocab\": [\"a\"],\n\"XY\": [[[0], 1]]}\n# done", "d.json"),
                    Catch::StartsWith("d.json:3: JSON syntax error"));
  CHECK_THROWS_WITH(parse_json_dataset("", "d.json"), Catch::StartsWith("d.json:1: JSON syntax error"));
}

TEST_CASE("read_json_dataset reads a file as parse_json_dataset reads its text", "[data]") {
  attn_test::TempDir dir("json_dataset");
  const std::string json = R"({"vocab": ["<pad>", "<bos>", "<eos>", "w"], "XY": [[[1, 3, 3, 2], 0]]})";
  const auto file = dir.write("d.json", json);
  const TextDataset data = attn::data::read_json_dataset(file);
  CHECK(data.origin == file.string());
  REQUIRE(data.size() == 1);
  CHECK(data.examples[0].tokens == Tokens{"w", "w"});
  CHECK_THROWS_WITH(attn::data::read_json_dataset(dir / "none.json"), (dir / "none.json").string() + ": data file not found");
  dir.write("bad.json", "{\"vocab\": [\"a\"], \"XY\": [[[0], 2]]}");
  CHECK_THROWS_WITH(attn::data::read_json_dataset(dir / "bad.json"),
                    (dir / "bad.json").string() + ": XY[0]: expected the label 0 or 1, got '2'");
}

TEST_CASE("make_batch pads ids with 0, masks real tokens and caps length", "[data]") {
  const std::vector<EncodedExample> examples{{{1, 4, 5, 2}, 1}, {{1, 6, 2}, 0}, {{1, 4, 5, 6, 7, 2}, 1}};
  const attn::data::TextBatch batch = attn::data::make_batch(examples);
  REQUIRE(batch.ids.sizes() == torch::IntArrayRef({3, 6}));
  CHECK(batch.ids.dtype() == torch::kInt64);
  CHECK(batch.mask.dtype() == torch::kBool);
  CHECK(batch.labels.dtype() == torch::kFloat32);
  CHECK(row(batch.ids, 0) == std::vector<int64_t>{1, 4, 5, 2, 0, 0});
  CHECK(row(batch.ids, 1) == std::vector<int64_t>{1, 6, 2, 0, 0, 0});
  CHECK(row(batch.ids, 2) == std::vector<int64_t>{1, 4, 5, 6, 7, 2});
  CHECK(row(batch.mask, 1) == std::vector<int64_t>{1, 1, 1, 0, 0, 0});
  CHECK(values(batch.lengths) == std::vector<int64_t>{4, 3, 6});
  CHECK(torch::equal(batch.labels, torch::tensor({1.0f, 0.0f, 1.0f})));
  CHECK(batch.order == std::vector<int64_t>{0, 1, 2});
  CHECK(torch::equal(batch.mask, batch.ids != 0));  // no <pad> inside these sequences

  attn::data::BatchOptions sorted;
  sorted.sort_by_length = true;
  sorted.max_length = 4;  // example 2 keeps 1 4 5 and its <eos>; example 0 then ties with it
  const attn::data::TextBatch capped = attn::data::make_batch(examples, sorted);
  CHECK(capped.order == std::vector<int64_t>{0, 2, 1});  // stable: 0 before 2 at length 4
  REQUIRE(capped.ids.sizes() == torch::IntArrayRef({3, 4}));
  CHECK(row(capped.ids, 1) == std::vector<int64_t>{1, 4, 5, 2});
  CHECK(values(capped.lengths) == std::vector<int64_t>{4, 4, 3});
  CHECK(torch::equal(capped.labels, torch::tensor({1.0f, 1.0f, 0.0f})));

  const attn::data::TextBatch subset = attn::data::make_batch(examples, std::vector<int64_t>{2, 1});
  CHECK(subset.order == std::vector<int64_t>{2, 1});
  CHECK(row(subset.ids, 1) == std::vector<int64_t>{1, 6, 2, 0, 0, 0});

  attn::data::BatchOptions bad;
  bad.max_length = 1;
  CHECK_THROWS_AS(attn::data::make_batch(examples, bad), attn::Error);
  CHECK_THROWS_AS(attn::data::make_batch(examples, std::vector<int64_t>{}), attn::Error);
  CHECK_THROWS_AS(attn::data::make_batch(examples, std::vector<int64_t>{3}), attn::Error);
}

TEST_CASE("encode_dataset wraps every example in <bos> .. <eos>", "[data]") {
  const TextDataset data = attn::data::parse_delimited("1\tgood movie\n0\tbad plot\n", "x.tsv");
  const auto vocab = attn::data::Vocabulary::from_tokens({"movie", "good"});
  const auto encoded = attn::data::encode_dataset(data, vocab);
  REQUIRE(encoded.size() == 2);
  CHECK(encoded[0].ids == std::vector<int64_t>{1, 5, 4, 2});
  CHECK(encoded[1].ids == std::vector<int64_t>{1, 3, 3, 2});
  CHECK(encoded[1].label == 0);
}
