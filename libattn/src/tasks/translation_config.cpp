// The translation experiment's config reader (see attn/tasks/translation_config.h).
#include "attn/tasks/translation_config.h"

#include <fmt/format.h>

#include <algorithm>

#include "attn/core/error.h"
#include "attn/io/path_name.h"

namespace attn::tasks {

namespace fs = std::filesystem;

namespace {

TranslationDataConfig read_data(const io::ConfigNode& d, const TranslationDataConfig& defaults) {
  TranslationDataConfig c = defaults;
  c.format = d.get_choice("format", defaults.format, {"gettext", "multi30k", "iwslt14", "news_commentary", "plain"});
  c.dir = d.get_string("dir", defaults.dir.string());
  d.require(!c.dir.empty(), "dir", "expected the corpus folder");
  const bool plain = c.format == "plain";
  c.train_source = d.get_string("train_source", defaults.train_source);
  c.train_target = d.get_string("train_target", defaults.train_target);
  c.valid_source = d.get_string("valid_source", defaults.valid_source);
  c.valid_target = d.get_string("valid_target", defaults.valid_target);
  const bool named = !c.train_source.empty() || !c.train_target.empty() || !c.valid_source.empty() ||
                     !c.valid_target.empty();
  if (plain)
    d.require(!c.train_source.empty() && !c.train_target.empty() && !c.valid_source.empty() &&
                  !c.valid_target.empty(),
              "train_source", "format plain needs train_source, train_target, valid_source and valid_target");
  else
    d.require(!named, "train_source", fmt::format("file names are only given with format plain ({} has fixed names)",
                                                  c.format));
  c.max_train = d.get_int("max_train", defaults.max_train);
  c.max_valid = d.get_int("max_valid", defaults.max_valid);
  d.require(c.max_train >= 0, "max_train", "expected 0 (all) or a positive count");
  d.require(c.max_valid >= 0, "max_valid", "expected 0 (all) or a positive count");
  return c;
}

}  // namespace

nn::TranslationModelOptions TranslationConfig::model_options(int64_t vocab_size) const {
  return nn::TranslationModelOptions(model).vocab_size(vocab_size);
}

int64_t TranslationConfig::steps_per_epoch(int64_t train_pairs) const {
  check(train_pairs >= 1, "{}: no training pairs", name);
  return (train_pairs + train.batch_size - 1) / train.batch_size;
}

train::TrainerOptions TranslationConfig::trainer_options(int64_t train_pairs) const {
  train::TrainerOptions options = train.trainer;
  const int64_t steps = epochs * steps_per_epoch(train_pairs);
  options.steps(steps);
  options.uniform_steps(0);
  std::vector<int64_t> snapshots;
  for (int64_t s : snapshot_steps.empty() ? translation_snapshot_steps(steps) : snapshot_steps)
    if (s <= steps) snapshots.push_back(s);
  if (snapshots.empty() || snapshots.back() != steps) snapshots.push_back(steps);
  options.snapshot_steps(snapshots);
  return options;
}

train::TrainConfig TranslationConfig::default_train() {
  train::TrainConfig t;
  // steps is replaced by epochs x steps per epoch (trainer_options).
  t.trainer.steps(1).eval_every(500).checkpoint_every(500);
  t.batch_size = 16;
  t.eval_examples = 1000;
  return t;
}

std::vector<int64_t> translation_snapshot_steps(int64_t steps) {
  std::vector<int64_t> out;
  for (int64_t s : {0, 50, 100, 500, 1000, 1500})
    if (s <= steps) out.push_back(s);
  for (int64_t s = 2000; s <= steps; s += 2000) out.push_back(s);
  if (out.back() != steps) out.push_back(steps);
  return out;
}

TranslationConfig parse_translation_config(const io::ConfigNode& root) {
  TranslationConfig c;
  c.name = root.get_string("name", c.name);
  io::check_path_component(c.name, root.origin() + ": " + root.dotted("name"));  // the run-set folder
  c.data = read_data(root.child("data"), c.data);

  auto v = root.child("vocabulary");
  c.pieces = v.get_int("pieces", c.pieces);
  v.require(c.pieces >= 16, "pieces", "expected at least 16 pieces (4 are control ids)");
  c.vocabulary_cache = v.get_string("cache", c.vocabulary_cache.string());

  auto m = root.child("model");
  c.model.embedding_dim(m.get_int("embedding_dim", c.model.embedding_dim()));
  c.model.hidden_size(m.get_int("hidden_size", c.model.hidden_size()));
  const int64_t layers = m.get_int("layers", c.model.encoder_layers());
  c.model.encoder_layers(layers).decoder_layers(layers);
  c.model.dropout(m.get_double("dropout", c.model.dropout()));
  m.require(c.model.embedding_dim() >= 1 && c.model.hidden_size() >= 1, "embedding_dim",
            "expected positive embedding_dim and hidden_size");
  m.require(layers >= 1, "layers", "expected at least one LSTM layer");
  m.require(c.model.dropout() >= 0 && c.model.dropout() < 1, "dropout", "expected a probability in [0, 1)");

  auto r = root.child("runs");
  c.gold_seed = r.get_int("gold_seed", c.gold_seed);
  c.comparison_seeds = r.get_int_list("comparison_seeds", c.comparison_seeds);
  c.uniform_seed = r.get_int("uniform_seed", c.uniform_seed);
  r.require(c.gold_seed >= 0 && c.uniform_seed >= 0, "gold_seed", "expected non-negative seeds");
  r.require(!c.comparison_seeds.empty() && c.comparison_seeds.size() <= 25, "comparison_seeds",
            "expected 1 to 25 seeds (runs B, C, ... are compared with the gold run A)");
  for (int64_t s : c.comparison_seeds) r.require(s >= 0, "comparison_seeds", "expected non-negative seeds");

  c.train = train::read_train_config(
      root.child("train"), c.train,
      {/*uniform_steps=*/false, [&](const io::ConfigNode& t) {
         c.epochs = t.get_int("epochs", c.epochs);
         t.require(c.epochs >= 1, "epochs", "expected at least one epoch");
         c.snapshot_steps = t.get_int_list("snapshot_steps", c.snapshot_steps);
         t.require(std::is_sorted(c.snapshot_steps.begin(), c.snapshot_steps.end()) &&
                       std::adjacent_find(c.snapshot_steps.begin(), c.snapshot_steps.end()) ==
                           c.snapshot_steps.end() &&
                       (c.snapshot_steps.empty() || c.snapshot_steps.front() >= 0),
                   "snapshot_steps", "expected increasing non-negative steps ([] = the paper's list)");
       },
       /*steps=*/false});

  auto a = root.child("analysis");
  auto& an = c.analysis;
  an.examples = a.get_int("examples", an.examples);
  an.percent = a.get_double("percent", an.percent);
  an.positions = a.get_choice("positions", an.positions, {"all", "words"});
  an.beam = a.get_int("beam", an.beam);
  an.max_length = a.get_int("max_length", an.max_length);
  an.length_penalty = a.get_double("length_penalty", an.length_penalty);
  an.bow_epochs = a.get_int("bow_epochs", an.bow_epochs);
  an.bow_batch_size = a.get_int("bow_batch_size", an.bow_batch_size);
  an.bleu_examples = a.get_int("bleu_examples", an.bleu_examples);
  an.html_examples = a.get_int("html_examples", an.html_examples);
  an.shuffle_repeats = a.get_int("shuffle_repeats", an.shuffle_repeats);
  an.chunk = a.get_int("chunk", an.chunk);
  an.lexicon = a.get_string("lexicon", an.lexicon);
  a.require(an.examples >= 1, "examples", "expected a positive number of validation pairs");
  a.require(an.percent > 0 && an.percent <= 100, "percent", "expected p in (0, 100]");
  a.require(an.beam >= 1, "beam", "expected a beam of at least 1");
  a.require(an.max_length >= 2, "max_length", "expected at least 2 (counting <s>)");
  a.require(an.length_penalty >= 0, "length_penalty", "expected 0 (plain sum) or a positive alpha");
  a.require(an.bow_epochs >= 1 && an.bow_batch_size >= 1, "bow_epochs",
            "expected positive bow_epochs and bow_batch_size");
  a.require(an.html_examples >= 0, "html_examples", "expected 0 or more");
  a.require(an.bleu_examples >= 0, "bleu_examples", "expected 0 (no BLEU over checkpoints) or more");
  a.require(an.shuffle_repeats >= 1, "shuffle_repeats", "expected at least 1");
  a.require(an.chunk >= 1, "chunk", "expected a positive chunk size");
  root.finish();
  c.resolved_yaml = root.resolved_yaml();
  return c;
}

TranslationConfig load_translation_config(const fs::path& path) {
  return parse_translation_config(io::ConfigNode::load_file(path));
}

}  // namespace attn::tasks
