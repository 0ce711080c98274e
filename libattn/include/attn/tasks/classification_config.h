// The classification experiment's config (PAPER.md sections 2.3, 3 and 5
// "classify"): strict YAML, every default filled in, and the checkpoint
// schedule it implies. The data it names is read by classification_data.h;
// the run it describes is trained by classification_task.h.
//
// Config (every key optional unless marked; unknown keys rejected):
//   name: spamassassin
//   data:
//     format: tsv | imdb | json | keyword
//     train: PATH  test: PATH        # tsv and json (required there)
//     root: PATH                     # imdb: the aclImdb folder (required there)
//     separator: "\t"  header: false  class_names: [ham, spam]   # tsv
//     validation_fraction: 0.1       # of train, held out for model selection
//     split_seed: 1                  # the train/validation split and the test cap
//     max_tokens: 0                  # cap per example incl. <bos>/<eos>; 0 = none
//     max_test: 4000                 # test examples kept (seeded subset)
//     min_count: 3  max_vocab: 0     # vocabulary rule (PAPER.md 2.3)
//     keyword: {vocab_size: 100, num_keywords: 4, min_length: 10, max_length: 30,
//               train: 2000, validation: 200, test: 500, seed: 1}
//   model: {embedding_dim: 300, hidden_size: 256, attention_hidden: 256}
//   runs: {normal_seeds: [20, 13, 14, 15, 16, 17], uniform_seed: 12}
//   train: {steps: 4000, batch_size: 32, learning_rate: 0.001, eval_every: 50,
//           eval_examples: 500, checkpoint_every: 250}
//   probes: {bow_dim: 256, bow_epochs: 10, bow_batch_size: 64,
//            logistic_grid_log10: [-5, ..., 4], percent: 5, shuffle_repeats: 10,
//            chunk: 64, html_examples: 6, html_max_tokens: 120}
// Relative paths are read from the current directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "attn/data/keyword_task.h"
#include "attn/io/config.h"
#include "attn/nn/attention_classifier.h"
#include "attn/train/two_stage_trainer.h"

namespace attn::tasks {

struct ClassificationDataConfig {
  std::string format = "tsv";
  std::filesystem::path train, test, root;
  char separator = '\t';
  bool header = false;
  std::vector<std::string> class_names;
  double validation_fraction = 0.1;
  uint64_t split_seed = 1;
  int64_t max_tokens = 0;
  int64_t max_test = 4000;
  int64_t min_count = 3;
  int64_t max_vocab = 0;
  data::KeywordTaskOptions keyword;
  int64_t keyword_train = 2000, keyword_validation = 200, keyword_test = 500;
  uint64_t keyword_seed = 1;
};

struct ClassificationProbeConfig {
  int64_t bow_dim = 256, bow_epochs = 10, bow_batch_size = 64;
  std::vector<double> logistic_grid;  ///< C values, from logistic_grid_log10
  double percent = 5.0;
  int64_t shuffle_repeats = 10;
  int64_t chunk = 64;
  int64_t html_examples = 6, html_max_tokens = 120;
};

struct ClassificationConfig {
  std::string name = "classify";
  ClassificationDataConfig data;
  int64_t embedding_dim = 300, hidden_size = 256, attention_hidden = 256;
  std::vector<int64_t> normal_seeds{20, 13, 14, 15, 16, 17};
  int64_t uniform_seed = 12;
  train::TrainerOptions trainer;  ///< steps, lr, eval/checkpoint cadence, snapshot schedule
  int64_t batch_size = 32;
  int64_t eval_examples = 500;
  ClassificationProbeConfig probes;
  std::string resolved_yaml;  ///< the config with every default filled in

  nn::AttentionClassifierOptions model_options(int64_t vocab_size) const;
};

/// Reads and checks a config; errors name the file and the dotted key.
ClassificationConfig load_classification_config(const std::filesystem::path& path);
ClassificationConfig parse_classification_config(const io::ConfigNode& root);

/// PAPER.md 2.3: steps 0, 10, 50, 100, 150, 200, 250, every 250 after, and
/// the last step, all <= steps.
std::vector<int64_t> classification_snapshot_steps(int64_t steps);

}  // namespace attn::tasks
