// The apps end to end: bad input is a one-line error and exit code 2, --help
// works, worker processes and resumes give the same results.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <torch/cuda.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "app_runner.h"
#include "temp_dir.h"

using attn_test::last_line;
using attn_test::read_file;
using attn_test::run_app;

TEST_CASE("attn-copy --help", "[apps]") {
  auto outcome = run_app("attn-copy --help");
  CHECK(outcome.code == 0);
  CHECK_THAT(outcome.output, Catch::Contains("--config") && Catch::Contains("--resume") && Catch::Contains("--device"));
}

TEST_CASE("attn-copy: bad input is a one-line error with exit code 2", "[apps]") {
  attn_test::TempDir tmp("apps");
  auto bad_key = tmp.write("bad.yaml", "name: x\ntrain: {stepz: 3}\n");
  auto tiny = tmp.write("tiny.yaml", "name: t\nseeds: 1\ndata: {vocab: 6, length: 4}\n"
                                     "model: {embedding_dim: 8, hidden_size: 8}\n"
                                     "train: {steps: 2, batch_size: 4, eval_every: 1, eval_examples: 4, checkpoint_every: 0}\n");
  struct Case {
    std::string arguments, expected;
  };
  const std::string out = " --out " + (tmp / "out").string();
  const std::vector<Case> cases = {
      {"attn-copy --config /nonexistent.yaml", "/nonexistent.yaml: config file not found"},
      {"attn-copy --config " + bad_key.string(), "train.stepz: unknown key"},
      {"attn-copy --config " + tiny.string() + out + " --device cuda", "--device cuda: no CUDA device"},
      {"attn-copy --config " + tiny.string() + out + " --device tpu", "--device: expected auto, cpu, cuda"},
      {"attn-copy --config " + tiny.string() + out + " --threads -1", "--threads"},
      {"attn-copy --config " + tiny.string() + out + " --jobs -2", "--jobs"},
      {"attn-copy --frobnicate", "frobnicate"},
      {"attn-copy", "--config: expected at least one"},
  };
  for (const auto& c : cases) {
    INFO(c.arguments);
    if (c.expected.find("CUDA") != std::string::npos && torch::cuda::is_available()) continue;
    auto outcome = run_app(c.arguments);
    CHECK(outcome.code == 2);
    CHECK_THAT(last_line(outcome.output), Catch::StartsWith("attn-copy: error:") && Catch::Contains(c.expected));
  }
  CHECK_FALSE(std::filesystem::exists(tmp / "out"));  // bad flags never create a run folder
}

TEST_CASE("attn-copy: a run folder is not overwritten, and --resume finishes it", "[apps]") {
  attn_test::TempDir tmp("apps_resume");
  auto tiny = tmp.write("tiny.yaml", "name: t\nseeds: 1\ndata: {vocab: 6, length: 4}\n"
                                     "model: {embedding_dim: 8, hidden_size: 8}\n"
                                     "train: {steps: 4, batch_size: 4, eval_every: 2, eval_examples: 4, checkpoint_every: 2}\n");
  const std::string base = "attn-copy --quiet --device cpu --config " + tiny.string() + " --out " + (tmp / "out").string();
  auto first = run_app(base);
  REQUIRE(first.code == 0);
  CHECK(std::filesystem::exists(tmp / "out" / "summary.csv"));
  CHECK(std::filesystem::exists(tmp / "out" / "t" / "seed_00" / "run.json"));
  CHECK_THAT(read_file(tmp / "out" / "summary.md"), Catch::Contains("## Cost") && Catch::Contains("| t | 1 |"));
  auto again = run_app(base);
  CHECK(again.code == 2);
  CHECK_THAT(last_line(again.output), Catch::Contains("--resume"));
  auto resumed = run_app(base + " --resume");
  CHECK(resumed.code == 0);
  auto changed = tmp.write("tiny.yaml", "name: t\nseeds: 1\ndata: {vocab: 7, length: 4}\n");
  auto different = run_app("attn-copy --quiet --config " + changed.string() + " --out " + (tmp / "out").string() + " --resume");
  CHECK(different.code == 2);
  CHECK_THAT(last_line(different.output), Catch::Contains("different config"));
}

TEST_CASE("attn-analyze: comparison runs read in worker processes give the same table", "[apps][classify]") {
  attn_test::TempDir tmp("apps_analyze_jobs");
  auto config = tmp.write(
      "kw.yaml",
      "name: kw\ndata: {format: keyword, keyword: {vocab_size: 30, num_keywords: 3, min_length: 6, max_length: 12, "
      "train: 300, validation: 100, test: 100, seed: 5}}\n"
      "model: {embedding_dim: 12, hidden_size: 12, attention_hidden: 12}\n"
      "runs: {normal_seeds: [20, 13, 14], uniform_seed: 12}\n"
      "train: {steps: 60, batch_size: 16, learning_rate: 0.003, eval_every: 30, eval_examples: 100, "
      "checkpoint_every: 30}\n"
      "probes: {bow_dim: 8, bow_epochs: 3, chunk: 32, html_examples: 2}\n");
  const auto runs = (tmp / "runs").string();
  REQUIRE(run_app("attn-classify --quiet --threads 2 --config " + config.string() + " --out " + runs).code == 0);
  CHECK_THAT(read_file(tmp / "runs" / "cost.md"), Catch::Contains("| training | 4 |"));  // 3 normal + uniform
  const std::string analyze = "attn-analyze --quiet --threads 1 --runs " + runs;
  auto in_process = run_app(analyze + " --jobs 1 --out " + (tmp / "one").string());
  REQUIRE(in_process.code == 0);
  auto in_workers = run_app(analyze + " --jobs 2 --out " + (tmp / "two").string());
  INFO(in_workers.output);
  REQUIRE(in_workers.code == 0);
  for (const char* file : {"agreement.csv", "agreement_curve.csv"}) {
    INFO(file);
    CHECK(read_file(tmp / "one" / file).size() > 50);
    CHECK(read_file(tmp / "one" / file) == read_file(tmp / "two" / file));
  }
  CHECK_THAT(read_file(tmp / "two" / "agreement_curve.csv"), Catch::Contains("agreement_B,agreement_C"));
  CHECK_THAT(in_workers.output, Catch::Contains("comparison runs in 2 worker processes"));
  CHECK_FALSE(std::filesystem::exists(tmp / "two" / "comparison-work"));
  auto bad = run_app(analyze + " --jobs -1");
  CHECK(bad.code == 2);
  CHECK_THAT(last_line(bad.output), Catch::Contains("--jobs"));
}

TEST_CASE("attn-multihead: workers keep the heads one process keeps, --report, a lost trial retrained alone",
          "[apps][multihead]") {
  attn_test::TempDir tmp("apps_multihead");
  // Thresholds at the accuracy a micro model reaches in 20 steps, so both
  // classes turn up within a few draws; one good/bad threshold makes every
  // single run count as one or the other.
  const auto config = tmp.write(
      "micro.yaml",
      "name: micro\ndata: {vocab: 8, length: 6}\n"
      "model: {architecture: multihead_gru, embedding_dim: 16, hidden_size: 16}\n"
      "train: {steps: 20, batch_size: 16, learning_rate: 0.01, eval_every: 5, eval_examples: 32, eval_set: fixed, "
      "checkpoint_every: 10}\n"
      "screening: {good: 2, bad: 2, max_draws: 60, data_seeds: [0, 1], good_threshold: 0.33, bad_threshold: 0.33}\n"
      "trials: {count: 2, heads: 2}\n");
  const auto out = tmp / "out";
  const std::string app = "attn-multihead --threads 2 --jobs 2 --config " + config.string() + " --out " + out.string();
  auto first = run_app(app);
  INFO(first.output);
  REQUIRE(first.code == 0);
  CHECK_THAT(first.output, Catch::Contains("trials: 1 of 6 done") && Catch::Contains("h left)"));
  const std::string trials = read_file(out / "trials.csv");
  CHECK(std::count(trials.begin(), trials.end(), '\n') == 1 + 3 * 2);
  const std::string kept = read_file(out / "screening" / "kept.csv");
  CHECK(std::count(kept.begin(), kept.end(), '\n') == 1 + 2 + 2);
  CHECK_FALSE(std::filesystem::exists(out / "screening" / "claims"));  // the workers' claims go with the screening
  CHECK_THAT(read_file(out / "summary.md"), Catch::Contains("| bad+good | 2 |") && Catch::Contains("Wall time") &&
                                                Catch::Contains("## Heads") && Catch::Contains("bad+good, 2 trials") &&
                                                Catch::Contains("## Cost") && Catch::Contains("| trials | 6 |"));
  const std::string heads = read_file(out / "trial_heads.csv");
  CHECK(std::count(heads.begin(), heads.end(), '\n') == 1 + 3 * 2 * 2);  // a row per head of every trial

  // The screening figure's running counts, recounted from its class column.
  std::istringstream screening(read_file(out / "screening.csv"));
  std::string line;
  std::getline(screening, line);
  int64_t good = 0, bad = 0, draws = 0;
  while (std::getline(screening, line)) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string x; std::getline(fields, x, ',');) f.push_back(x);
    REQUIRE(f.size() == 5);
    good += f[1] == "good";
    bad += f[1] == "bad";
    CHECK(std::stoll(f[3]) == good);
    CHECK(std::stoll(f[4]) == bad);
    ++draws;
  }
  CHECK(good >= 2);  // a worker may finish a draw past the quota
  CHECK(bad >= 2);
  CHECK_THAT(read_file(out / "summary.md"), Catch::Contains(fmt::format("| {} | {} | {} |", draws, good, bad)));

  // One process, one draw after another: the same kept heads, so the same trials.
  const auto serial = tmp / "serial";
  auto one = run_app("attn-multihead --threads 1 --jobs 1 --config " + config.string() + " --out " + serial.string());
  REQUIRE(one.code == 0);
  CHECK(read_file(serial / "screening" / "kept.csv") == kept);
  CHECK(read_file(serial / "trials.csv") == trials);

  // A trial lost (killed before its `done`): --report leaves it out, --resume
  // retrains that trial alone and gets the same numbers.
  const auto lost = out / "trials" / "bad+good" / "trial_001";
  const auto kept_trial = out / "trials" / "bad" / "trial_000" / "metrics.csv";
  const auto untouched = std::filesystem::last_write_time(kept_trial);
  std::filesystem::remove_all(lost);
  auto report = run_app("attn-multihead --report --out " + out.string());
  INFO(report.output);
  REQUIRE(report.code == 0);
  CHECK_THAT(read_file(out / "summary.md"),
             Catch::Contains("| bad+good | 1 |") && Catch::Contains("screening complete, 5 of 6 trials finished"));
  auto resumed = run_app(app + " --resume");
  INFO(resumed.output);
  REQUIRE(resumed.code == 0);
  CHECK(read_file(out / "trials.csv") == trials);
  CHECK(std::filesystem::last_write_time(kept_trial) == untouched);
  CHECK_THAT(resumed.output, Catch::Contains("bad+good trial   1") && Catch::Contains("trials: 6 of 6 done"));
  size_t trained = 0;
  for (size_t at = resumed.output.find("[trials] "); at != std::string::npos; at = resumed.output.find("[trials] ", at + 1))
    ++trained;
  CHECK(trained == 1);

  auto nothing = run_app("attn-multihead --report --out " + (tmp / "none").string());
  CHECK(nothing.code == 2);
  CHECK_THAT(last_line(nothing.output), Catch::Contains("nothing to report"));
  const auto other = tmp.write("other.yaml", read_file(config).replace(read_file(config).find("count: 2"), 8, "count: 3"));
  auto mismatch = run_app("attn-multihead --report --config " + other.string() + " --out " + out.string());
  CHECK(mismatch.code == 2);
  CHECK_THAT(last_line(mismatch.output), Catch::Contains("different config"));
}
