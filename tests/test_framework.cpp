// The shared experiment framework: --set overrides, the shared readers'
// defaults, the one recorded-run path, job planning, and the shared command
// line of the apps (--set, --print-config, --threads 0 under an affinity mask).
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "attn/core/error.h"
#include "attn/io/config.h"
#include "attn/io/files.h"
#include "attn/io/jobs.h"
#include "attn/io/run_record.h"
#include "attn/tasks/copy_experiment.h"
#include "attn/train/recorded_run.h"
#include "attn/train/train_config.h"
#include "temp_dir.h"

using attn::io::ConfigNode;

namespace {

constexpr const char* kTiny =
    "name: t\nseeds: 1\ndata: {vocab: 6, length: 4}\nmodel: {embedding_dim: 8, hidden_size: 8}\n"
    "train: {steps: 4, batch_size: 4, eval_every: 2, eval_examples: 8, checkpoint_every: 2}\n";

attn::train::RunContext quiet_context() {
  attn::train::RunContext context;
  context.progress = false;
  return context;
}

std::string run_command(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = ::pclose(pipe);
  return (WIFEXITED(status) ? std::to_string(WEXITSTATUS(status)) : "signal") + "\n" + output;
}

}  // namespace

TEST_CASE("config overrides (the apps' --set) replace and add keys before the readers check them",
          "[framework][config]") {
  const auto config = attn::tasks::parse_copy_experiment(ConfigNode::parse(
      kTiny, "t.yaml", {"train.steps=6", "model.heads=2", "stage1_data.vocab=8", "train.uniform_steps=2"}));
  CHECK(config.train.trainer.steps() == 6);
  CHECK(config.model.heads() == 2);
  REQUIRE(config.stage1_data.has_value());  // a new section, created on the way
  CHECK(config.stage1_data->vocab() == 8);
  CHECK_THAT(config.resolved_yaml, Catch::Contains("steps: 6") && Catch::Contains("heads: 2"));

  // A misspelt key is still an unknown key, named with the file.
  CHECK_THROWS_WITH(attn::tasks::parse_copy_experiment(ConfigNode::parse(kTiny, "t.yaml", {"train.stepz=6"})),
                    Catch::Contains("t.yaml: train.stepz: unknown key"));
  CHECK_THROWS_WITH(ConfigNode::parse(kTiny, "t.yaml", {"name.x=1"}),
                    Catch::Contains("--set name.x") && Catch::Contains("name is not a mapping"));
  CHECK_THROWS_WITH(ConfigNode::parse(kTiny, "t.yaml", {"steps"}), Catch::Contains("--set: expected key.path=value"));
  CHECK_THROWS_WITH(ConfigNode::parse(kTiny, "t.yaml", {"train..steps=1"}), Catch::Contains("--set"));
  // Values are YAML: a list replaces a list.
  auto node = ConfigNode::parse("xs: [1, 2]\n", "l.yaml", {"xs=[3, 4, 5]"});
  CHECK(node.get_int_list("xs", {}) == std::vector<int64_t>{3, 4, 5});
}

TEST_CASE("the shared train: reader takes its defaults from the struct it is given", "[framework][config]") {
  attn::train::TrainConfig defaults;
  defaults.trainer.steps(123).eval_every(3).checkpoint_every(9);
  defaults.batch_size = 7;
  auto root = ConfigNode::parse("train: {learning_rate: 0.5}\n", "d.yaml");
  const auto read = attn::train::read_train_config(root.child("train"), defaults, {/*uniform_steps=*/false, {}});
  root.finish();
  CHECK(read.trainer.steps() == 123);
  CHECK(read.batch_size == 7);
  CHECK(read.trainer.learning_rate() == 0.5);
  CHECK(read.eval_examples == defaults.eval_examples);
  // Recorded in a fixed order, without the key the experiment left out.
  CHECK(root.resolved_yaml() ==
        "train:\n  steps: 123\n  batch_size: 7\n  learning_rate: 0.5\n  eval_every: 3\n  eval_examples: 400\n"
        "  checkpoint_every: 9\n");
  auto with_k = ConfigNode::parse("train: {uniform_steps: 2}\n", "k.yaml");
  attn::train::read_train_config(with_k.child("train"), defaults, {/*uniform_steps=*/false, {}});
  CHECK_THROWS_WITH(with_k.finish(), Catch::Contains("train.uniform_steps: unknown key"));
}

TEST_CASE("a recorded run refuses another config, and a finished one is read back untrained", "[framework][run]") {
  attn_test::TempDir tmp("recorded_run");
  const auto config = attn::tasks::parse_copy_experiment(ConfigNode::parse(kTiny, "t.yaml"));
  const auto dir = tmp / "seed_00";
  auto context = quiet_context();
  context.overrides = {"train.steps=4"};
  const auto first = attn::tasks::run_copy_seed(config, 0, dir, context, /*resume=*/false);
  REQUIRE(first.history.size() == 3);  // steps 0, 2, 4
  CHECK(attn::io::run_done(dir));
  CHECK(attn::io::read_text_file(dir / "config.yaml") == config.resolved_yaml);

  // Without --resume an occupied folder is refused, and a different config always.
  CHECK_THROWS_WITH(attn::tasks::run_copy_seed(config, 0, dir, context, false),
                    Catch::Contains("already holds a run; pass --resume"));
  const auto other = attn::tasks::parse_copy_experiment(ConfigNode::parse(kTiny, "t.yaml", {"train.steps=6"}));
  CHECK_THROWS_WITH(attn::tasks::run_copy_seed(other, 0, dir, context, true),
                    Catch::Contains(dir.string() + ": holds a run of a different config"));

  // Done: the history comes from metrics.csv and the task is never built.
  attn::train::RecordedRun again;
  again.dir = dir;
  again.config_yaml = config.resolved_yaml;
  bool built = false;
  const auto read_back = attn::train::run_recorded(again, context, [&]() -> std::unique_ptr<attn::train::TrainingTask> {
    built = true;
    throw std::logic_error("a finished run must not be trained again");
  });
  CHECK_FALSE(built);
  REQUIRE(read_back.history.size() == first.history.size());
  CHECK(read_back.history.back().get("token_acc") == first.history.back().get("token_acc"));
  CHECK(read_back.resumed_from == 4);
}

TEST_CASE("a recorded run without keep_checkpoint leaves only its results", "[framework][run]") {
  attn_test::TempDir tmp("recorded_run_nockpt");
  const auto config = attn::tasks::parse_copy_experiment(ConfigNode::parse(kTiny, "t.yaml"));
  attn::train::RecordedRun run;
  run.dir = tmp / "run";
  run.config_yaml = config.resolved_yaml;
  run.trainer = config.train.trainer;
  run.keep_checkpoint = false;
  attn::train::run_recorded(run, quiet_context(),
                            [&] { return std::make_unique<attn::tasks::CopyTask>(config, 3, torch::kCPU); });
  CHECK(attn::io::run_done(run.dir));
  CHECK(std::filesystem::exists(run.dir / "metrics.csv"));
  CHECK_FALSE(std::filesystem::exists(run.dir / "checkpoint.pt"));
}

TEST_CASE("job plans: one per thread on CPU, one on CUDA, never more than the units", "[framework][jobs]") {
  auto plan = attn::io::plan_jobs(false, 8, 0, 0);
  CHECK((plan.jobs == 8 && plan.threads_per_job == 1));
  plan = attn::io::plan_jobs(false, 8, 0, 3);
  CHECK((plan.jobs == 3 && plan.threads_per_job == 2));
  plan = attn::io::plan_jobs(true, 8, 0, 5);
  CHECK((plan.jobs == 1 && plan.threads_per_job == 8));
  plan = attn::io::plan_jobs(false, 2, 4, 0);
  CHECK((plan.jobs == 4 && plan.threads_per_job == 1));
  CHECK_THROWS_WITH(attn::io::plan_jobs(false, 2, -1, 0), Catch::Contains("--jobs"));

  // One job: the units run in this process, in order.
  std::vector<size_t> order;
  attn::io::JobSet set;
  set.units = 3;
  set.in_process = [&](size_t k) { order.push_back(k); };
  attn::io::run_jobs(set, {1, 1}, "attn_tests");
  CHECK(order == std::vector<size_t>{0, 1, 2});
}

TEST_CASE("apps: print-config shows the overrides applied and writes nothing, threads 0 follows the affinity mask",
          "[framework][apps]") {
  attn_test::TempDir tmp("framework_apps");
  const auto config = tmp.write("tiny.yaml", kTiny);
  const std::string copy = std::string(ATTN_BINARY_DIR) + "/bin/attn-copy --config " + config.string();
  const auto printed = run_command(copy + " --set train.steps=9 --print-config --out " + (tmp / "out").string());
  CHECK_THAT(printed, Catch::StartsWith("0\n") && Catch::Contains("  steps: 9\n"));
  CHECK_FALSE(std::filesystem::exists(tmp / "out"));
  const auto typo = run_command(copy + " --set train.stepz=9 --print-config");
  CHECK_THAT(typo, Catch::StartsWith("2\n") && Catch::Contains("train.stepz: unknown key"));

  // Under taskset one CPU is all there is: 0 threads means 1.
  const auto pinned = run_command("taskset -c 0 " + copy + " --threads 0 --quiet --out " + (tmp / "pinned").string());
  CHECK_THAT(pinned, Catch::StartsWith("0\n") && Catch::Contains("on cpu (1 threads"));
  const std::string record = attn::io::read_text_file(tmp / "pinned" / "t" / "seed_00" / "run.json");
  CHECK_THAT(record, Catch::Contains("\"threads\": 1"));
}
