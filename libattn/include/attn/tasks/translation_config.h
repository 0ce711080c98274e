// The translation experiment's config (PAPER.md 2.2, 3, 4, 4.1 and 5
// "translate"): strict YAML, every default filled in. The data it names is
// read by translation_data.h; its runs are trained by translation_task.h.
//
// Config keys (every key optional unless marked; unknown keys rejected; the
// defaults are the struct fields below, the only place they are written):
//   name
//   data:
//     format: gettext | multi30k | iwslt14 | news_commentary | plain
//     dir: PATH                 # the corpus folder (required)
//     train_source, train_target, valid_source, valid_target: file names (plain)
//     max_train                 # training pairs kept (seeded subset; 0 = all)
//     max_valid                 # validation pairs kept (first ones; 0 = all)
//   vocabulary: {pieces, cache}  # joint SentencePiece unigram model; cache:
//                                # a folder to share trained models ("" = none)
//   model: {embedding_dim, hidden_size, layers, dropout}
//   runs: {gold_seed, comparison_seeds, uniform_seed}
//   train: {epochs, batch_size, learning_rate, eval_every, eval_examples,
//           snapshot_steps, checkpoint_every}
//     epochs: passes over the training pairs; the steps follow from the data
//     snapshot_steps: [] = PAPER.md 2.2's list (0, 50, 100, 500, 1000, 1500,
//       then every 2000) up to the last step, which is always kept
//   analysis: {examples, percent, positions, beam, max_length, length_penalty,
//              bow_epochs, bow_batch_size, html_examples, shuffle_repeats, chunk}
//     positions: all (the authors: <s> and </s> compared too) | words
//     lexicon: PATH prefix of a dictd English->German dictionary (PATH.index,
//       PATH.dict.dz; e.g. FreeDict's eng-deu): the dictionary score; "" = none
// `attn-translate --print-config` shows every value in force.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "attn/io/config.h"
#include "attn/nn/translation_model.h"
#include "attn/train/train_config.h"

namespace attn::tasks {

struct TranslationDataConfig {
  std::string format = "gettext";
  std::filesystem::path dir;
  std::string train_source, train_target, valid_source, valid_target;
  int64_t max_train = 0;
  int64_t max_valid = 0;
};

struct TranslationAnalysisConfig {
  int64_t examples = 2000;       ///< validation pairs analysed (and decoded for BLEU)
  double percent = 5.0;          ///< p of the top-p% match
  std::string positions = "all";  ///< "all" (the authors) or "words" (no <s>/</s>)
  int64_t beam = 5, max_length = 100;
  double length_penalty = 0.0;
  int64_t bow_epochs = 30, bow_batch_size = 64;
  int64_t bleu_examples = 500;  ///< pairs decoded at every snapshot (BLEU over checkpoints)
  int64_t html_examples = 6;
  int64_t shuffle_repeats = 1;
  int64_t chunk = 32;  ///< sentences per probe batch
  std::string lexicon;  ///< dictd dictionary path prefix ("" = no dictionary score)
};

struct TranslationConfig {
  std::string name = "translate";
  TranslationDataConfig data;
  int64_t pieces = 8000;
  std::filesystem::path vocabulary_cache;  ///< "" = train once per run set
  nn::TranslationModelOptions model;  ///< vocab_size comes from the vocabulary
  int64_t gold_seed = 20;
  std::vector<int64_t> comparison_seeds{13};
  int64_t uniform_seed = 12;
  int64_t epochs = 20;
  /// lr, eval and checkpoint cadence, batch size, eval examples; steps and
  /// snapshots are set from the data by resolve_steps().
  train::TrainConfig train = default_train();
  std::vector<int64_t> snapshot_steps;  ///< as configured ([] = the paper's list)
  TranslationAnalysisConfig analysis;
  std::string resolved_yaml;

  nn::TranslationModelOptions model_options(int64_t vocab_size) const;
  /// Steps per epoch for `train_pairs` (last partial batch kept).
  int64_t steps_per_epoch(int64_t train_pairs) const;
  /// The trainer's options for `train_pairs`: steps = epochs x steps per
  /// epoch, snapshots as configured (or the paper's list) up to the last step.
  train::TrainerOptions trainer_options(int64_t train_pairs) const;
  static train::TrainConfig default_train();
};

/// Reads and checks a config; errors name the file and the dotted key.
TranslationConfig load_translation_config(const std::filesystem::path& path);
TranslationConfig parse_translation_config(const io::ConfigNode& root);

/// PAPER.md 2.2: 0, 50, 100, 500, 1000, 1500, then every 2000, and `steps`.
std::vector<int64_t> translation_snapshot_steps(int64_t steps);

}  // namespace attn::tasks
