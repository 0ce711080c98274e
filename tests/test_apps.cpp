// The apps turn bad input into a one-line error and exit code 2; --help works.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <torch/cuda.h>

#include <cstdio>

#include "temp_dir.h"

namespace {

struct Outcome {
  int code;
  std::string output;
};

Outcome run_app(const std::string& arguments) {
  const std::string command = std::string(ATTN_BINARY_DIR) + "/bin/" + arguments + " 2>&1";
  Outcome outcome{-1, ""};
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) outcome.output += buffer;
  const int status = ::pclose(pipe);
  outcome.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

// The last line (earlier lines are the BLAS log line).
std::string last_line(const std::string& text) {
  auto trimmed = text.substr(0, text.find_last_not_of('\n') + 1);
  return trimmed.substr(trimmed.find_last_of('\n') + 1);
}

}  // namespace

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
