// Extraction vs training benchmark (see attn/tasks/extraction_benchmark.h).
#include "attn/tasks/extraction_benchmark.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "attn/core/error.h"
#include "attn/io/checkpoint.h"
#include "attn/probes/classifier_ktiw.h"
#include "attn/probes/gradient_influence.h"
#include "attn/tasks/classification_runs.h"
#include "attn/tasks/classification_task.h"
#include "attn/train/two_stage_trainer.h"
#include "core/stopwatch.h"
#include "io/json.h"

namespace attn::tasks {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

std::string ExtractionBenchmark::json() const {
  const auto seconds = [](double s) { return json::number(std::round(s * 1000) / 1000); };  // ms resolution
  const json::Value doc = {{"examples", examples},
                           {"probe_seconds", seconds(probe_seconds)},
                           {"influence_seconds", seconds(influence_seconds)},
                           {"extraction_seconds", seconds(probe_seconds + influence_seconds)},
                           {"epoch_seconds", seconds(epoch_seconds)},
                           {"epoch_steps", epoch_steps}};
  return json::to_text(doc);
}

ExtractionBenchmark benchmark_extraction(const ClassificationConfig& config, const ClassificationData& data,
                                         const fs::path& out_dir, int64_t examples) {
  check(examples >= 1, "--benchmark: expected a positive number of examples, got {}", examples);
  // The examples, as the training set of a task (the extraction reads the same ones).
  ClassificationData pool;
  pool.vocab = data.vocab;
  for (const auto* part : {&data.test, &data.validation, &data.train})
    for (const auto& e : *part)
      if (static_cast<int64_t>(pool.train.size()) < examples) pool.train.push_back(e);
  const auto runs = classification_runs(config, out_dir);
  const auto& gold = runs.front();
  ExtractionBenchmark b;
  b.examples = static_cast<int64_t>(pool.train.size());
  {
    auto model = load_snapshot(config, data, gold, config.train.trainer.steps());
    auto t = Clock::now();
    probes::read_classifier(*model, pool.train, config.probes.chunk);
    b.probe_seconds = seconds_since(t);
    t = Clock::now();
    probes::gradient_influence(*model, pool.train, config.probes.chunk);
    b.influence_seconds = seconds_since(t);
  }

  // One epoch of training on the same examples: run A's task and training
  // step, from the same snapshot, batched as in training.
  ClassificationTask task(config, pool, gold.seed, torch::kCPU);
  io::load_weights(snapshot_path(gold, config.train.trainer.steps()), task.model());
  task.begin_stage(train::Stage::kLearned);  // attention learned, as in run A
  task.model().train();
  auto optimizer = train::make_optimizer(task.model(), config.train.trainer);
  const auto t = Clock::now();
  for (int64_t step = 0; step < task.steps_per_epoch(); ++step) {
    train::training_step(task, optimizer, step);
    ++b.epoch_steps;
  }
  b.epoch_seconds = seconds_since(t);
  return b;
}

}  // namespace attn::tasks
