// Issue 3's benchmark: how long probe and influence extraction (alpha, beta,
// Delta) take over a number of examples, against one epoch of training on
// the same examples with the run's own training step
// (ClassificationTask::training_loss and the trainer's optimiser).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "attn/tasks/classification_config.h"
#include "attn/tasks/classification_data.h"

namespace attn::tasks {

/// Issue 3's benchmark: probe and influence extraction (alpha, beta, Delta)
/// over `examples` test-like examples versus one epoch of training on them.
struct ExtractionBenchmark {
  int64_t examples = 0;
  double probe_seconds = 0;      ///< alpha + beta (one eval forward, batched)
  double influence_seconds = 0;  ///< Delta (forward + backward, batched)
  double epoch_seconds = 0;      ///< one epoch of training (batch_size, Adam)
  int64_t epoch_steps = 0;
  std::string json() const;
};

/// Uses run A's final snapshot; examples are test, then validation, then
/// train examples up to `examples`. The epoch trains a ClassificationTask
/// whose training set is those examples, from that snapshot, for one epoch of
/// its own batches (seeded by run A's seed) with train::make_optimizer and
/// train::training_step, as the trainer does.
ExtractionBenchmark benchmark_extraction(const ClassificationConfig& config, const ClassificationData& data,
                                         const std::filesystem::path& out_dir, int64_t examples);

}  // namespace attn::tasks
