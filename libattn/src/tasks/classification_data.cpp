// The classification experiment's examples: read, split, capped and encoded
// (see attn/tasks/classification_data.h).
#include "attn/tasks/classification_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "attn/core/error.h"
#include "attn/core/seed_streams.h"
#include "attn/core/seeded_random.h"
#include "attn/data/text_dataset.h"

namespace attn::tasks {

namespace fs = std::filesystem;

namespace {


std::vector<data::EncodedExample> encode(const data::TextDataset& set, const data::Vocabulary& vocab,
                                         int64_t max_tokens) {
  std::vector<data::EncodedExample> out;
  out.reserve(set.examples.size());
  for (const auto& e : set.examples) {
    data::EncodedExample x{vocab.encode(e.tokens), e.label};
    if (max_tokens > 0 && static_cast<int64_t>(x.ids.size()) > max_tokens) {
      // Keep the first max_tokens - 1 ids and the final <eos>.
      x.ids.resize(static_cast<size_t>(max_tokens));
      x.ids.back() = data::Vocabulary::kEos;
    }
    out.push_back(std::move(x));
  }
  return out;
}

data::TextDataset read_split(const ClassificationDataConfig& c, const std::string& split) {
  if (c.format == "imdb") return data::read_imdb_split(c.root, split);
  const fs::path path = split == "train" ? c.train : c.test;
  if (c.format == "json") return data::read_json_dataset(path);
  data::DelimitedOptions options;
  options.separator = c.separator;
  options.header = c.header;
  options.class_names = c.class_names;
  return data::read_delimited(path, options);
}

}  // namespace

std::string ClassificationData::describe() const {
  auto count = [](const std::vector<data::EncodedExample>& v) {
    int64_t positive = 0, tokens = 0;
    for (const auto& e : v) {
      positive += e.label;
      tokens += static_cast<int64_t>(e.ids.size());
    }
    return fmt::format("{} ({} positive, {:.0f} tokens/example)", v.size(), positive,
                       v.empty() ? 0.0 : static_cast<double>(tokens) / v.size());
  };
  return fmt::format("vocabulary {}; train {}; validation {}; test {}", vocab.size(), count(train),
                     count(validation), count(test));
}

ClassificationData load_classification_data(const ClassificationConfig& config, const data::Vocabulary* vocab) {
  const auto& c = config.data;
  ClassificationData out;
  if (c.format == "keyword") {
    out.vocab = vocab ? *vocab : data::keyword_vocabulary(c.keyword);
    auto train = data::generate_keyword_data(c.keyword_train, c.keyword, c.keyword_seed);
    auto validation = data::generate_keyword_data(c.keyword_validation, c.keyword, c.keyword_seed + 1);
    auto test = data::generate_keyword_data(c.keyword_test, c.keyword, c.keyword_seed + 2);
    check(c.max_tokens == 0 || c.max_tokens >= c.keyword.max_length() + 2,
          "data.max_tokens: {} would cut keywords off sequences of up to {} tokens", c.max_tokens,
          c.keyword.max_length() + 2);
    out.train = std::move(train.examples);
    out.validation = std::move(validation.examples);
    out.test = std::move(test.examples);
    out.test_salient = std::move(test.salient);
    return out;
  }
  data::TextDataset train_set = read_split(c, "train");
  data::TextDataset test_set = read_split(c, "test");
  // A classifier trained on one class learns nothing to compare attention by.
  for (int label : {0, 1}) {
    const bool present = std::any_of(train_set.examples.begin(), train_set.examples.end(),
                                     [&](const data::TextExample& e) { return e.label == label; });
    check(present, "{}: every training example has label {}; expected examples of both classes",
          train_set.origin, 1 - label);
  }

  // Validation: a seeded share of train; the rest trains.
  std::vector<int64_t> order(train_set.examples.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::mt19937_64 rng(c.split_seed);
  shuffle_in_place(order, rng);
  const auto held_out = static_cast<size_t>(std::llround(c.validation_fraction * order.size()));
  check(held_out >= 1 && held_out < order.size(),
        "data.validation_fraction: {} of {} training examples leaves an empty train or validation split",
        c.validation_fraction, order.size());
  std::vector<int64_t> validation_rows(order.begin(), order.begin() + held_out);
  std::vector<int64_t> train_rows(order.begin() + held_out, order.end());
  std::sort(validation_rows.begin(), validation_rows.end());
  std::sort(train_rows.begin(), train_rows.end());
  data::TextDataset train_part, validation_part;
  train_part.origin = validation_part.origin = train_set.origin;
  for (int64_t i : train_rows) train_part.examples.push_back(train_set.examples[static_cast<size_t>(i)]);
  for (int64_t i : validation_rows) validation_part.examples.push_back(train_set.examples[static_cast<size_t>(i)]);

  // Test: at most max_test, a seeded subset in file order.
  if (test_set.size() > c.max_test) {
    std::vector<int64_t> rows(test_set.examples.size());
    std::iota(rows.begin(), rows.end(), int64_t{0});
    std::mt19937_64 cap_rng(stream_seed(c.split_seed, SeedStream::kTestCap));
    shuffle_in_place(rows, cap_rng);
    rows.resize(static_cast<size_t>(c.max_test));
    std::sort(rows.begin(), rows.end());
    std::vector<data::TextExample> kept;
    for (int64_t i : rows) kept.push_back(test_set.examples[static_cast<size_t>(i)]);
    test_set.examples = std::move(kept);
  }

  out.vocab = vocab ? *vocab
                    : data::Vocabulary::build(train_part.token_lists(),
                                              data::VocabularyOptions().min_count(c.min_count).max_tokens(c.max_vocab));
  out.train = encode(train_part, out.vocab, c.max_tokens);
  out.validation = encode(validation_part, out.vocab, c.max_tokens);
  out.test = encode(test_set, out.vocab, c.max_tokens);
  return out;
}

}  // namespace attn::tasks
