// The classification experiment's config (PAPER.md sections 2.3, 3 and 5
// "classify"): strict YAML, every default filled in, and the checkpoint
// schedule it implies. The data it names is read by classification_data.h;
// the run it describes is trained by classification_task.h.
//
// Config keys (every key optional unless marked; unknown keys rejected; the
// defaults are the struct fields below, the only place they are written):
//   name
//   data:
//     format: tsv | imdb | json | keyword
//     train: PATH  test: PATH        # tsv and json (required there)
//     root: PATH                     # imdb: the aclImdb folder (required there)
//     separator  header  class_names    # tsv
//     validation_fraction            # of train, held out for model selection
//     split_seed                     # the train/validation split and the test cap
//     max_tokens                     # cap per example incl. <bos>/<eos>; 0 = none
//     max_test                       # test examples kept (seeded subset)
//     min_count  max_vocab           # vocabulary rule (PAPER.md 2.3)
//     keyword: {vocab_size, num_keywords, min_length, max_length, train,
//               validation, test, seed}
//   model: {embedding_dim, hidden_size, attention_hidden}  (nn/attention_classifier_config.h)
//   runs: {normal_seeds, uniform_seed}
//   train: {steps, batch_size, learning_rate, eval_every, eval_examples,
//           checkpoint_every}                              (train/train_config.h)
//   probes: {bow_dim, bow_epochs, bow_batch_size, logistic_grid_log10, percent,
//            positions, shuffle_repeats, chunk, html_examples, html_max_tokens}
//     positions: all (every position of <bos> w1 .. wn <eos>, as the authors
//                compare) | words (<bos> and <eos> left out)
// `attn-classify --print-config` shows every value in force.
// Relative paths are read from the current directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "attn/data/keyword_task.h"
#include "attn/io/config.h"
#include "attn/nn/attention_classifier.h"
#include "attn/train/train_config.h"
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
  std::vector<int64_t> logistic_grid_log10 = {-5, -4, -3, -2, -1, 0, 1, 2, 3, 4};
  std::vector<double> logistic_grid;  ///< C values, 10^logistic_grid_log10
  double percent = 5.0;
  std::string positions = "all";  ///< "all" (the authors' convention) or "words"
  int64_t shuffle_repeats = 10;
  int64_t chunk = 64;
  int64_t html_examples = 6, html_max_tokens = 120;
};

struct ClassificationConfig {
  std::string name = "classify";
  ClassificationDataConfig data;
  nn::AttentionClassifierOptions model{/*vocab_size=*/0};  ///< vocab_size comes from the data
  std::vector<int64_t> normal_seeds{20, 13, 14, 15, 16, 17};
  int64_t uniform_seed = 12;
  /// steps, lr, eval/checkpoint cadence and the snapshot schedule; batch size; eval examples
  train::TrainConfig train = default_train();
  ClassificationProbeConfig probes;
  std::string resolved_yaml;  ///< the config with every default filled in

  nn::AttentionClassifierOptions model_options(int64_t vocab_size) const;
  /// PAPER.md 2.3 as the authors ran it: 4000 steps of batch 32, evaluated
  /// every 50 on 500 examples, checkpointed every 250.
  static train::TrainConfig default_train();
};

/// Reads and checks a config; errors name the file and the dotted key.
ClassificationConfig load_classification_config(const std::filesystem::path& path);
ClassificationConfig parse_classification_config(const io::ConfigNode& root);

/// PAPER.md 2.3: steps 0, 10, 50, 100, 150, 200, 250, every 250 after, and
/// the last step, all <= steps.
std::vector<int64_t> classification_snapshot_steps(int64_t steps);

}  // namespace attn::tasks
