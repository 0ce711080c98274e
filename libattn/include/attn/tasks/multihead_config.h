// The multi-head experiment's config (paper Section 5.2, PAPER.md 2.4, 5
// "multihead") and its reader.
//
// Config (YAML): the keys of attn/tasks/copy_task.h without `stage1_data`
// (`seeds`, `first_seed`, `model.heads` only at their defaults, as the
// resolved config.yaml writes them; the experiment decides those), plus:
//   base_seed: 0                  # torch seed of the fixed base
//   screening: {good: 20, bad: 20, max_draws: 2000, head_seed: 1000,
//               data_seeds: [0, 1, 2], good_threshold: 0.95, bad_threshold: 0.6}
//   trials:    {count: 50, heads: 8, first_data_seed: 1000, selection_seed: 7,
//               combinations: [bad, bad+good, random]}
// model.architecture must be multihead_gru; train.eval_set must be fixed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "attn/io/config.h"
#include "attn/tasks/copy_task.h"

namespace attn::tasks {

/// How heads are screened one at a time on top of the base (Section 5.2).
struct ScreeningOptions {
  int64_t good = 20;        ///< good heads to keep
  int64_t bad = 20;         ///< bad heads to keep
  int64_t max_draws = 2000; ///< give up after this many heads
  int64_t head_seed = 1000; ///< head k is drawn from torch seed head_seed + k
  std::vector<int64_t> data_seeds = {0, 1, 2};  ///< batch streams every head is trained on
  double good_threshold = 0.95;  ///< good: token acc > this at some evaluation, every data seed
  double bad_threshold = 0.6;    ///< bad: final token acc < this, every data seed
};

/// The three kinds of 8-head models compared in the trials.
enum class Combination { kBad, kBadPlusGood, kRandom };

/// "bad", "bad+good", "random" (the YAML names and folder names).
std::string combination_name(Combination combination);

struct TrialOptions {
  int64_t count = 50;             ///< trials per combination
  int64_t heads = 8;              ///< heads per model
  int64_t first_data_seed = 1000; ///< trial i of every combination trains on seed first_data_seed + i
  int64_t selection_seed = 7;     ///< which kept heads (and which fresh heads) a trial gets
  std::vector<Combination> combinations = {Combination::kBad, Combination::kBadPlusGood, Combination::kRandom};
};

struct MultiheadExperimentConfig {
  CopyExperimentConfig copy;  ///< data, model (multihead_gru, heads = 1) and train
  int64_t base_seed = 0;
  ScreeningOptions screening;
  TrialOptions trials;
  std::string resolved_yaml;  ///< every default filled in

  /// The copy config with `heads` heads (screening: 1, trials: trials.heads).
  CopyExperimentConfig with_heads(int64_t heads) const;
};

/// Reads and checks a config; errors name the file and the dotted key.
MultiheadExperimentConfig load_multihead_experiment(const std::filesystem::path& path);
MultiheadExperimentConfig parse_multihead_experiment(const io::ConfigNode& root);

}  // namespace attn::tasks
