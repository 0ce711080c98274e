// The two-stage trainer: a run resumed from its checkpoint ends identical to
// an uninterrupted one; the uniform stage leaves the query parameters alone;
// checkpoints check their magic and shape.
#include <catch2/catch.hpp>

#include "attn/core/error.h"
#include "attn/io/checkpoint.h"
#include "attn/io/config.h"
#include "attn/tasks/copy_task.h"
#include "temp_dir.h"

namespace {
attn::tasks::CopyExperimentConfig tiny_config(int64_t steps, int64_t uniform_steps) {
  const std::string yaml = fmt::format(
      "name: tiny\ndata: {{vocab: 12, length: 8}}\nmodel: {{embedding_dim: 16, hidden_size: 16}}\n"
      "train: {{steps: {}, batch_size: 8, eval_every: 5, eval_examples: 16, checkpoint_every: 10, uniform_steps: {}}}\n",
      steps, uniform_steps);
  return attn::tasks::parse_copy_experiment(attn::io::ConfigNode::parse(yaml, "<test>"));
}

attn::train::TrainingResult train(const attn::tasks::CopyExperimentConfig& config, const std::filesystem::path& dir,
                                  bool resume, std::shared_ptr<attn::tasks::CopyTask>* keep = nullptr) {
  auto task = std::make_shared<attn::tasks::CopyTask>(config, 3, torch::kCPU);
  attn::train::TrainerOptions options = config.train.trainer;
  options.progress(false);
  attn::train::TwoStageTrainer trainer(*task, options, dir);
  auto result = trainer.run(resume);
  if (keep) *keep = task;
  return result;
}
}  // namespace

TEST_CASE("resume from a checkpoint equals the uninterrupted run", "[train]") {
  attn_test::TempDir tmp("resume");
  std::shared_ptr<attn::tasks::CopyTask> straight, resumed;
  auto full = train(tiny_config(20, 5), tmp / "straight", false, &straight);

  // "Kill" after step 10: train a 10-step run (its checkpoint is at step 10),
  // then continue it in a fresh task with the 20-step config.
  auto first_half = tiny_config(10, 5);
  train(first_half, tmp / "resumed", false);
  auto second = train(tiny_config(20, 5), tmp / "resumed", true, &resumed);
  CHECK(second.resumed_from == 10);
  REQUIRE(second.history.size() == full.history.size());
  for (size_t i = 0; i < full.history.size(); ++i)
    for (const auto& [name, value] : full.history[i].values)
      if (name != "seconds" && !std::isnan(value)) CHECK(second.history[i].get(name) == value);
  auto a = straight->model().parameters(), b = resumed->model().parameters();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].equal(b[i]));
}

TEST_CASE("uniform stage trains everything but the query projection", "[train]") {
  attn_test::TempDir tmp("uniform");
  auto config = tiny_config(10, 10);
  auto task = std::make_shared<attn::tasks::CopyTask>(config, 4, torch::kCPU);
  auto& attention = task->seq2seq().attention();
  auto query_before = attention.query_weight.clone(), context_before = attention.context_weight.clone();
  attn::train::TrainerOptions options = config.train.trainer;
  options.progress(false);
  auto result = attn::train::TwoStageTrainer(*task, options, tmp.path()).run(false);
  CHECK(attention.query_weight.equal(query_before));
  CHECK_FALSE(attention.context_weight.equal(context_before));
  CHECK(result.history.back().get("stage") == 1);
}

TEST_CASE("stage switch at K: stage 1 then stage 2 in the log", "[train]") {
  attn_test::TempDir tmp("stages");
  auto result = train(tiny_config(10, 5), tmp.path(), false);
  REQUIRE(result.history.size() == 3);  // steps 0, 5, 10
  CHECK(result.history[0].get("stage") == 1);
  CHECK(result.history[2].get("stage") == 2);
  CHECK(std::filesystem::exists(tmp / "metrics.csv"));
  CHECK(std::filesystem::exists(tmp / "metrics.jsonl"));
}

TEST_CASE("checkpoints are checked on load", "[train][io]") {
  attn_test::TempDir tmp("ckpt");
  auto config = tiny_config(10, 0);
  attn::tasks::CopyTask task(config, 1, torch::kCPU);
  CHECK_THROWS_WITH(attn::io::load_weights(tmp / "missing.pt", task.model()), Catch::Contains("not found"));
  auto junk = tmp.write("junk.pt", "this is not an archive");
  CHECK_THROWS_WITH(attn::io::load_weights(junk, task.model()), Catch::Contains("not a libattn checkpoint"));

  attn::io::save_weights(tmp / "small.pt", task.model());
  auto other = config;
  other.model.hidden_size(24);
  attn::tasks::CopyTask bigger(other, 1, torch::kCPU);
  CHECK_THROWS_WITH(attn::io::load_weights(tmp / "small.pt", bigger.model()), Catch::Contains("do not fit"));
  // no temporary files left beside the checkpoint
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path()))
    CHECK(entry.path().string().find(".tmp.") == std::string::npos);
}

TEST_CASE("stop_when ends a run at the first matching evaluation, also when resumed", "[train]") {
  attn_test::TempDir tmp("stop");
  auto config = tiny_config(30, 0);
  auto full = train(config, tmp / "full", false);
  REQUIRE(full.history.size() == 7);  // steps 0, 5, ..., 30
  // Stop at the first evaluation after step 10 whose loss is below the one
  // logged at step 10: the run must end there, not at step 30.
  const double level = full.history[2].get("eval_loss");
  auto beats = [level](const attn::train::MetricRow& row) {
    return row.get("step") > 10 && row.get("eval_loss") < level;
  };
  int64_t expected_stop = -1;
  for (const auto& row : full.history)
    if (beats(row)) {
      expected_stop = static_cast<int64_t>(row.get("step"));
      break;
    }
  REQUIRE(expected_stop > 10);
  REQUIRE(expected_stop < 30);

  auto task = std::make_shared<attn::tasks::CopyTask>(config, 3, torch::kCPU);
  attn::train::TrainerOptions options = config.train.trainer;
  options.progress(false).stop_when(beats);
  attn::train::TwoStageTrainer trainer(*task, options, tmp / "stopped");
  auto stopped = trainer.run(false);
  CHECK(static_cast<int64_t>(stopped.history.back().get("step")) == expected_stop);
  CHECK(stopped.history.size() == static_cast<size_t>(expected_stop / 5 + 1));
  for (size_t i = 0; i < stopped.history.size(); ++i)
    CHECK(stopped.history[i].get("eval_loss") == full.history[i].get("eval_loss"));
  // A resumed run finds the checkpoint at the stop and trains no further.
  auto again = attn::train::TwoStageTrainer(*task, options, tmp / "stopped").run(true);
  CHECK(again.resumed_from == expected_stop);
  CHECK(again.history.size() == stopped.history.size());
}
