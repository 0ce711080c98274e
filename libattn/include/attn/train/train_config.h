// The `train:` section every experiment's config shares, and its one reader.
// Defaults come from the struct the caller passes (an experiment sets its own
// once, in its config struct); the reader checks every value and records it
// in the resolved config, in a fixed key order:
//   train: {[steps], batch_size, learning_rate, [uniform_steps], eval_every,
//           eval_examples, [the experiment's own keys], checkpoint_every}
#pragma once

#include <cstdint>
#include <functional>

#include "attn/io/config.h"
#include "attn/train/two_stage_trainer.h"

namespace attn::train {

struct TrainConfig {
  TrainerOptions trainer;       ///< steps, learning rate, K, evaluation and checkpoint cadence
  int64_t batch_size = 128;     ///< training examples per step
  int64_t eval_examples = 400;  ///< examples per evaluation
};

/// Which optional keys an experiment's `train:` section has.
struct TrainConfigKeys {
  /// train.uniform_steps (K). Experiments whose runs decide K themselves
  /// (classification: 0 or all steps) leave it out.
  bool uniform_steps = true;
  /// Reads the experiment's own keys of the section (e.g. copy's eval_set),
  /// just before checkpoint_every.
  std::function<void(const io::ConfigNode& train)> extra;
  /// train.steps. Experiments that count in epochs (translation) leave it out
  /// and set the trainer's steps from their data.
  bool steps = true;
};

/// Reads `node` (the `train:` mapping) over `defaults`. Errors name the file and key.
TrainConfig read_train_config(const io::ConfigNode& node, const TrainConfig& defaults,
                              const TrainConfigKeys& keys = {});

}  // namespace attn::train
