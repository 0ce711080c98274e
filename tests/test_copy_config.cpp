// Copy experiment configs: defaults resolve, the shipped configs load, and
// every kind of bad input is a one-line error naming the file and key.
#include <catch2/catch.hpp>

#include "attn/core/error.h"
#include "attn/io/config.h"
#include "attn/tasks/copy_experiment.h"
#include "attn/tasks/copy_task.h"
#include "temp_dir.h"

using attn::tasks::parse_copy_experiment;

namespace {
attn::tasks::CopyExperimentConfig parse_copy(const std::string& yaml) {
  return parse_copy_experiment(attn::io::ConfigNode::parse(yaml, "exp.yaml"));
}
}  // namespace

TEST_CASE("shipped copy configs load with paper-scale settings", "[config][copy]") {
  const std::filesystem::path dir = std::filesystem::path(ATTN_SOURCE_DIR) / "experiments" / "copy";
  auto hard = attn::tasks::load_copy_experiment(dir / "permutation40.yaml");
  CHECK(hard.seeds == 20);
  CHECK(hard.train.trainer.steps() == 200);
  CHECK(hard.train.batch_size == 128);
  CHECK(hard.model.hidden_size() == 256);
  CHECK(hard.data.vocab() == 40);
  CHECK(hard.vocabulary().total() == 42);
  auto easy = attn::tasks::load_copy_experiment(dir / "subset40of60.yaml");
  CHECK(easy.data.vocab() == 60);
  auto curriculum = attn::tasks::load_copy_experiment(dir / "curriculum.yaml");
  REQUIRE(curriculum.stage1_data.has_value());
  CHECK(curriculum.vocabulary().size == 60);
  CHECK(curriculum.train.trainer.uniform_steps() > 0);
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    CHECK_NOTHROW(attn::tasks::load_copy_experiment(entry.path()));
}

TEST_CASE("the resolved config fills every default and reloads to itself", "[config][copy]") {
  auto config = parse_copy("name: x\n");
  CHECK(config.resolved_yaml.find("hidden_size: 256") != std::string::npos);
  CHECK(config.resolved_yaml.find("eval_every: 10") != std::string::npos);
  auto again = parse_copy(config.resolved_yaml);
  CHECK(again.resolved_yaml == config.resolved_yaml);
}

TEST_CASE("bad copy configs name the file and the key", "[config][copy]") {
  CHECK_THROWS_WITH(parse_copy("train: {stepz: 10}\n"),
                    Catch::Contains("exp.yaml: train.stepz: unknown key") && Catch::Contains("steps"));
  CHECK_THROWS_WITH(parse_copy("train: {steps: ten}\n"), Catch::Contains("exp.yaml: train.steps: expected an integer, got 'ten'"));
  CHECK_THROWS_WITH(parse_copy("train: {steps: -3}\n"), Catch::Contains("train.steps"));
  CHECK_THROWS_WITH(parse_copy("data: {vocab: 30, length: 40}\n"), Catch::Contains("data.length"));
  CHECK_THROWS_WITH(parse_copy("model: {architecture: gpt}\n"), Catch::Contains("model.architecture: expected one of lstm|multihead_gru"));
  CHECK_THROWS_WITH(parse_copy("data: {repeats: maybe}\n"), Catch::Contains("data.repeats: expected true or false"));
  CHECK_THROWS_WITH(parse_copy("stage1_data: {vocab: 60}\n"), Catch::Contains("stage1_data"));
  CHECK_THROWS_WITH(parse_copy("train: {eval_every: 10, checkpoint_every: 15}\n"), Catch::Contains("train.checkpoint_every"));
  CHECK_THROWS_WITH(parse_copy("data: [1, 2]\n"), Catch::Contains("data: expected a mapping"));
  CHECK_THROWS_WITH(parse_copy("train: {steps: 10\n"), Catch::Contains("YAML syntax error"));
  CHECK_THROWS_WITH(attn::tasks::load_copy_experiment("/nonexistent/x.yaml"),
                    Catch::Contains("/nonexistent/x.yaml: config file not found"));
}

TEST_CASE("per-seed summary reads the first steps reaching each level", "[copy]") {
  std::vector<attn::train::MetricRow> history(3);
  const double token[] = {0.1, 0.96, 0.94}, attention[] = {0.0, 0.4, 0.9}, ktiw[] = {0.2, 0.7, 1.0};
  for (int i = 0; i < 3; ++i) {
    history[i].set("step", 10 * i);
    history[i].set("token_acc", token[i]);
    history[i].set("attention_acc", attention[i]);
    history[i].set("ktiw_acc", ktiw[i]);
  }
  auto s = attn::tasks::summarize_copy_history(7, history);
  CHECK(s.seed == 7);
  CHECK(s.token_acc == 0.94);  // final, not best
  CHECK_FALSE(s.success());
  CHECK(s.step_to_95 == 10);
  CHECK(s.ktiw_step_to_50 == 10);
  CHECK(s.attention_step_to_50 == 20);
  CHECK_THROWS_WITH(attn::tasks::summarize_copy_history(1, {}), Catch::Contains("seed 1"));
}
