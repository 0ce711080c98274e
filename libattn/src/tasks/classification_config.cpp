// The classification experiment's config reader (see
// attn/tasks/classification_config.h).
#include "attn/tasks/classification_config.h"

#include <fmt/format.h>

#include <cmath>

#include "attn/core/error.h"
#include "attn/io/path_name.h"
#include "attn/nn/attention_classifier_config.h"

namespace attn::tasks {

namespace fs = std::filesystem;

namespace {

ClassificationDataConfig read_data(const io::ConfigNode& d, const ClassificationDataConfig& defaults) {
  ClassificationDataConfig c = defaults;
  c.format = d.get_choice("format", defaults.format, {"tsv", "imdb", "json", "keyword"});
  const bool files = c.format == "tsv" || c.format == "json";
  c.train = d.get_string("train", defaults.train.string());
  c.test = d.get_string("test", defaults.test.string());
  c.root = d.get_string("root", defaults.root.string());
  if (files) {
    d.require(!c.train.empty(), "train", fmt::format("expected the training file of the {} data", c.format));
    d.require(!c.test.empty(), "test", fmt::format("expected the test file of the {} data", c.format));
  } else {
    d.require(c.train.empty() && c.test.empty(), "train", fmt::format("not used with format {}", c.format));
  }
  if (c.format == "imdb") d.require(!c.root.empty(), "root", "expected the aclImdb folder");
  else d.require(c.root.empty(), "root", "only used with format imdb");
  if (c.format == "tsv") {
    const std::string separator = d.get_string("separator", std::string(1, defaults.separator));
    d.require(separator.size() == 1, "separator", "expected a single character such as \"\\t\" or \",\"");
    c.separator = separator[0];
    c.header = d.get_bool("header", defaults.header);
    c.class_names = d.get_string_list("class_names", defaults.class_names);
    d.require(c.class_names.empty() || c.class_names.size() == 2, "class_names",
              "expected two names (for labels 0 and 1) or none (labels written 0/1)");
  }
  c.validation_fraction = d.get_double("validation_fraction", defaults.validation_fraction);
  d.require(c.validation_fraction > 0 && c.validation_fraction < 1, "validation_fraction",
            "expected a fraction in (0, 1)");
  const int64_t split_seed = d.get_int("split_seed", static_cast<int64_t>(defaults.split_seed));
  d.require(split_seed >= 0, "split_seed", "expected a non-negative seed");
  c.split_seed = static_cast<uint64_t>(split_seed);
  c.max_tokens = d.get_int("max_tokens", defaults.max_tokens);
  d.require(c.max_tokens == 0 || c.max_tokens >= 3, "max_tokens", "expected 0 (no cap) or at least 3");
  c.max_test = d.get_int("max_test", defaults.max_test);
  d.require(c.max_test >= 1, "max_test", "expected a positive number of examples");
  c.min_count = d.get_int("min_count", defaults.min_count);
  d.require(c.min_count >= 1, "min_count", "expected at least 1");
  c.max_vocab = d.get_int("max_vocab", defaults.max_vocab);
  d.require(c.max_vocab >= 0, "max_vocab", "expected 0 (no cap) or a positive count");
  if (c.format == "keyword") {
    auto k = d.child("keyword");
    c.keyword.vocab_size(k.get_int("vocab_size", defaults.keyword.vocab_size()));
    c.keyword.num_keywords(k.get_int("num_keywords", defaults.keyword.num_keywords()));
    c.keyword.min_length(k.get_int("min_length", defaults.keyword.min_length()));
    c.keyword.max_length(k.get_int("max_length", defaults.keyword.max_length()));
    c.keyword_train = k.get_int("train", defaults.keyword_train);
    c.keyword_validation = k.get_int("validation", defaults.keyword_validation);
    c.keyword_test = k.get_int("test", defaults.keyword_test);
    const int64_t seed = k.get_int("seed", static_cast<int64_t>(defaults.keyword_seed));
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

}  // namespace

nn::AttentionClassifierOptions ClassificationConfig::model_options(int64_t vocab_size) const {
  return nn::AttentionClassifierOptions(model).vocab_size(vocab_size);
}

train::TrainConfig ClassificationConfig::default_train() {
  train::TrainConfig t;
  t.trainer.steps(4000).eval_every(50).checkpoint_every(250);
  t.batch_size = 32;
  t.eval_examples = 500;
  return t;
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
  c.name = root.get_string("name", c.name);
  io::check_path_component(c.name, root.origin() + ": " + root.dotted("name"));  // the run-set folder
  c.data = read_data(root.child("data"), c.data);

  c.model = nn::read_attention_classifier_options(root.child("model"), c.model);

  auto r = root.child("runs");
  c.normal_seeds = r.get_int_list("normal_seeds", c.normal_seeds);
  c.uniform_seed = r.get_int("uniform_seed", c.uniform_seed);
  r.require(c.normal_seeds.size() >= 2, "normal_seeds",
            "expected at least 2 seeds (run A gives the gold attention, the others are compared with it)");
  r.require(c.normal_seeds.size() <= 26, "normal_seeds", "expected at most 26 seeds (runs are named A-Z)");
  for (int64_t s : c.normal_seeds) r.require(s >= 0, "normal_seeds", "expected non-negative seeds");
  r.require(c.uniform_seed >= 0, "uniform_seed", "expected a non-negative seed");

  c.train = train::read_train_config(root.child("train"), c.train, {/*uniform_steps=*/false, {}});
  c.train.trainer.snapshot_steps(classification_snapshot_steps(c.train.trainer.steps()));

  auto p = root.child("probes");
  c.probes.bow_dim = p.get_int("bow_dim", c.probes.bow_dim);
  c.probes.bow_epochs = p.get_int("bow_epochs", c.probes.bow_epochs);
  c.probes.bow_batch_size = p.get_int("bow_batch_size", c.probes.bow_batch_size);
  c.probes.logistic_grid_log10 = p.get_int_list("logistic_grid_log10", c.probes.logistic_grid_log10);
  for (int64_t e : c.probes.logistic_grid_log10) {
    p.require(e >= -12 && e <= 12, "logistic_grid_log10", "expected exponents in [-12, 12]");
    c.probes.logistic_grid.push_back(std::pow(10.0, static_cast<double>(e)));
  }
  c.probes.percent = p.get_double("percent", c.probes.percent);
  c.probes.positions = p.get_choice("positions", c.probes.positions, {"all", "words"});
  c.probes.shuffle_repeats = p.get_int("shuffle_repeats", c.probes.shuffle_repeats);
  c.probes.chunk = p.get_int("chunk", c.probes.chunk);
  c.probes.html_examples = p.get_int("html_examples", c.probes.html_examples);
  c.probes.html_max_tokens = p.get_int("html_max_tokens", c.probes.html_max_tokens);
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

}  // namespace attn::tasks
