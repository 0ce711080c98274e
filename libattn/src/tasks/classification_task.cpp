// The classification experiment's config, data and TrainingTask (see
// attn/tasks/classification_task.h).
#include "attn/tasks/classification_task.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "attn/core/error.h"
#include "attn/core/seeded_random.h"
#include "attn/data/text_dataset.h"
#include "attn/probes/classifier_ktiw.h"

namespace attn::tasks {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kTestCapStream = 0x7E57CA9ULL;
constexpr uint64_t kBatchStream = 0xBA7C4ULL;

ClassificationDataConfig read_data(const io::ConfigNode& d) {
  ClassificationDataConfig c;
  c.format = d.get_choice("format", "tsv", {"tsv", "imdb", "json", "keyword"});
  const bool files = c.format == "tsv" || c.format == "json";
  c.train = d.get_string("train", "");
  c.test = d.get_string("test", "");
  c.root = d.get_string("root", "");
  if (files) {
    d.require(!c.train.empty(), "train", fmt::format("expected the training file of the {} data", c.format));
    d.require(!c.test.empty(), "test", fmt::format("expected the test file of the {} data", c.format));
  } else {
    d.require(c.train.empty() && c.test.empty(), "train", fmt::format("not used with format {}", c.format));
  }
  if (c.format == "imdb") d.require(!c.root.empty(), "root", "expected the aclImdb folder");
  else d.require(c.root.empty(), "root", "only used with format imdb");
  if (c.format == "tsv") {
    const std::string separator = d.get_string("separator", "\t");
    d.require(separator.size() == 1, "separator", "expected a single character such as \"\\t\" or \",\"");
    c.separator = separator[0];
    c.header = d.get_bool("header", false);
    c.class_names = d.get_string_list("class_names", {});
    d.require(c.class_names.empty() || c.class_names.size() == 2, "class_names",
              "expected two names (for labels 0 and 1) or none (labels written 0/1)");
  }
  c.validation_fraction = d.get_double("validation_fraction", 0.1);
  d.require(c.validation_fraction > 0 && c.validation_fraction < 1, "validation_fraction",
            "expected a fraction in (0, 1)");
  const int64_t split_seed = d.get_int("split_seed", 1);
  d.require(split_seed >= 0, "split_seed", "expected a non-negative seed");
  c.split_seed = static_cast<uint64_t>(split_seed);
  c.max_tokens = d.get_int("max_tokens", 0);
  d.require(c.max_tokens == 0 || c.max_tokens >= 3, "max_tokens", "expected 0 (no cap) or at least 3");
  c.max_test = d.get_int("max_test", 4000);
  d.require(c.max_test >= 1, "max_test", "expected a positive number of examples");
  c.min_count = d.get_int("min_count", 3);
  d.require(c.min_count >= 1, "min_count", "expected at least 1");
  c.max_vocab = d.get_int("max_vocab", 0);
  d.require(c.max_vocab >= 0, "max_vocab", "expected 0 (no cap) or a positive count");
  if (c.format == "keyword") {
    auto k = d.child("keyword");
    c.keyword.vocab_size(k.get_int("vocab_size", 100));
    c.keyword.num_keywords(k.get_int("num_keywords", 4));
    c.keyword.min_length(k.get_int("min_length", 10));
    c.keyword.max_length(k.get_int("max_length", 30));
    c.keyword_train = k.get_int("train", 2000);
    c.keyword_validation = k.get_int("validation", 200);
    c.keyword_test = k.get_int("test", 500);
    const int64_t seed = k.get_int("seed", 1);
    k.require(c.keyword_train >= 1 && c.keyword_validation >= 1 && c.keyword_test >= 1, "train",
              "expected positive train/validation/test counts");
    k.require(seed >= 0, "seed", "expected a non-negative seed");
    c.keyword_seed = static_cast<uint64_t>(seed);
    try {
      data::validate(c.keyword);
    } catch (const Error& e) {
      k.fail("vocab_size", e.what());
    }
  }
  return c;
}

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

nn::AttentionClassifierOptions ClassificationConfig::model_options(int64_t vocab_size) const {
  return nn::AttentionClassifierOptions(vocab_size)
      .embedding_dim(embedding_dim)
      .hidden_size(hidden_size)
      .attention_hidden(attention_hidden);
}

std::vector<int64_t> classification_snapshot_steps(int64_t steps) {
  std::vector<int64_t> out;
  for (int64_t s : {0, 10, 50, 100, 150, 200, 250})
    if (s <= steps) out.push_back(s);
  for (int64_t s = 500; s <= steps; s += 250) out.push_back(s);
  if (out.back() != steps) out.push_back(steps);
  return out;
}

ClassificationConfig parse_classification_config(const io::ConfigNode& root) {
  ClassificationConfig c;
  c.name = root.get_string("name", "classify");
  root.require(!c.name.empty() && c.name.find('/') == std::string::npos, "name",
               "expected a non-empty name without '/'");
  c.data = read_data(root.child("data"));

  auto m = root.child("model");
  c.embedding_dim = m.get_int("embedding_dim", 300);
  c.hidden_size = m.get_int("hidden_size", 256);
  c.attention_hidden = m.get_int("attention_hidden", 256);
  m.require(c.embedding_dim >= 1, "embedding_dim", "expected a positive size");
  m.require(c.hidden_size >= 1, "hidden_size", "expected a positive size");
  m.require(c.attention_hidden >= 1, "attention_hidden", "expected a positive size");

  auto r = root.child("runs");
  c.normal_seeds = r.get_int_list("normal_seeds", {20, 13, 14, 15, 16, 17});
  c.uniform_seed = r.get_int("uniform_seed", 12);
  r.require(c.normal_seeds.size() >= 2, "normal_seeds",
            "expected at least 2 seeds (run A gives the gold attention, the others are compared with it)");
  r.require(c.normal_seeds.size() <= 26, "normal_seeds", "expected at most 26 seeds (runs are named A-Z)");
  for (int64_t s : c.normal_seeds) r.require(s >= 0, "normal_seeds", "expected non-negative seeds");
  r.require(c.uniform_seed >= 0, "uniform_seed", "expected a non-negative seed");

  auto t = root.child("train");
  c.trainer.steps(t.get_int("steps", 4000));
  c.batch_size = t.get_int("batch_size", 32);
  c.trainer.learning_rate(t.get_double("learning_rate", 1e-3));
  c.trainer.eval_every(t.get_int("eval_every", 50));
  c.eval_examples = t.get_int("eval_examples", 500);
  c.trainer.checkpoint_every(t.get_int("checkpoint_every", 250));
  t.require(c.trainer.steps() >= 1, "steps", "expected a positive number of steps");
  t.require(c.batch_size >= 1, "batch_size", "expected a positive batch size");
  t.require(c.trainer.learning_rate() > 0, "learning_rate", "expected a positive learning rate");
  t.require(c.trainer.eval_every() >= 1, "eval_every", "expected a positive number of steps");
  t.require(c.eval_examples >= 1, "eval_examples", "expected a positive number of examples");
  t.require(c.trainer.checkpoint_every() >= 0 && c.trainer.checkpoint_every() % c.trainer.eval_every() == 0,
            "checkpoint_every", "expected 0 or a multiple of eval_every (checkpoints follow evaluations)");
  c.trainer.snapshot_steps(classification_snapshot_steps(c.trainer.steps()));

  auto p = root.child("probes");
  c.probes.bow_dim = p.get_int("bow_dim", 256);
  c.probes.bow_epochs = p.get_int("bow_epochs", 10);
  c.probes.bow_batch_size = p.get_int("bow_batch_size", 64);
  for (int64_t e : p.get_int_list("logistic_grid_log10", {-5, -4, -3, -2, -1, 0, 1, 2, 3, 4})) {
    p.require(e >= -12 && e <= 12, "logistic_grid_log10", "expected exponents in [-12, 12]");
    c.probes.logistic_grid.push_back(std::pow(10.0, static_cast<double>(e)));
  }
  c.probes.percent = p.get_double("percent", 5.0);
  c.probes.shuffle_repeats = p.get_int("shuffle_repeats", 10);
  c.probes.chunk = p.get_int("chunk", 64);
  c.probes.html_examples = p.get_int("html_examples", 6);
  c.probes.html_max_tokens = p.get_int("html_max_tokens", 120);
  p.require(c.probes.bow_dim >= 1 && c.probes.bow_epochs >= 1 && c.probes.bow_batch_size >= 1, "bow_dim",
            "expected positive bow_dim, bow_epochs and bow_batch_size");
  p.require(!c.probes.logistic_grid.empty(), "logistic_grid_log10", "expected at least one exponent");
  p.require(c.probes.percent > 0 && c.probes.percent <= 100, "percent", "expected p in (0, 100]");
  p.require(c.probes.shuffle_repeats >= 1, "shuffle_repeats", "expected at least 1");
  p.require(c.probes.chunk >= 1, "chunk", "expected a positive chunk size");
  p.require(c.probes.html_examples >= 0 && c.probes.html_max_tokens >= 1, "html_examples",
            "expected html_examples >= 0 and html_max_tokens >= 1");
  root.finish();
  c.resolved_yaml = root.resolved_yaml();
  return c;
}

ClassificationConfig load_classification_config(const fs::path& path) {
  return parse_classification_config(io::ConfigNode::load_file(path));
}

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
    std::mt19937_64 cap_rng(c.split_seed ^ kTestCapStream);
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

ClassificationTask::ClassificationTask(const ClassificationConfig& config, const ClassificationData& data,
                                       int64_t seed, const torch::Device& device)
    : config_(config), data_(data), seed_(seed), device_(device) {
  check(!data.train.empty(), "classification: no training examples");
  torch::manual_seed(static_cast<uint64_t>(seed));
  model_ = nn::AttentionClassifier(config.model_options(data.vocab.size()));
  model_->to(device);
}

std::vector<int64_t> ClassificationTask::batch_indices(int64_t step) const {
  // Epoch-wise shuffles without replacement; a batch is a pure function of
  // (seed, step). The last incomplete batch of an epoch is dropped.
  const int64_t N = static_cast<int64_t>(data_.train.size());
  const int64_t B = std::min(config_.batch_size, N);
  const int64_t per_epoch = N / B;
  const int64_t epoch = step / per_epoch, slot = step % per_epoch;
  std::vector<int64_t> order(static_cast<size_t>(N));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::mt19937_64 rng((static_cast<uint64_t>(seed_) * 0x9E3779B97F4A7C15ULL) ^ kBatchStream ^
                      (static_cast<uint64_t>(epoch) << 20));
  shuffle_in_place(order, rng);
  return {order.begin() + slot * B, order.begin() + (slot + 1) * B};
}

torch::Tensor ClassificationTask::training_loss(int64_t step) {
  auto batch = data::make_batch(data_.train, batch_indices(step));
  auto out = model_->forward(batch.ids.to(device_), batch.mask.to(device_));
  return nn::AttentionClassifierImpl::loss(out, batch.labels.to(device_));
}

train::MetricRow ClassificationTask::evaluate(int64_t step) {
  const size_t n = std::min<size_t>(static_cast<size_t>(config_.eval_examples), data_.validation.size());
  std::vector<data::EncodedExample> subset(data_.validation.begin(), data_.validation.begin() + n);
  auto readout = probes::read_classifier(*model_, subset, config_.probes.chunk);
  train::MetricRow row;
  row.set("val_loss", readout.loss);
  row.set("val_acc", readout.accuracy);
  return row;
}

}  // namespace attn::tasks
