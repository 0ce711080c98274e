// The classification experiment's config reader (see
// attn/tasks/classification_config.h).
#include "attn/tasks/classification_config.h"

#include <fmt/format.h>

#include <cmath>

#include "attn/core/error.h"

namespace attn::tasks {

namespace fs = std::filesystem;

namespace {

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

}  // namespace attn::tasks
