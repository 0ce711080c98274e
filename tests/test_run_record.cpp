// What a run records (attn/io/run_record.h) and that every JSON file the
// library writes is strict JSON (nlohmann::json::parse, no extensions):
// run.json's fields, overrides and environment round-trip, recorded_start
// reads run.json back and names the file when it is malformed, metrics.jsonl
// writes inf/nan as null, benchmark.json and a whole copy run's files parse.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <stdlib.h>
#include <sys/wait.h>
#include <torch/version.h>

#include <cmath>
#include <ctime>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "attn/core/error.h"
#include "attn/io/files.h"
#include "attn/io/run_record.h"
#include "attn/tasks/extraction_benchmark.h"
#include "attn/train/metric_row.h"
#include "attn/version.h"
#include "temp_dir.h"

namespace {

nlohmann::json parse_file(const std::filesystem::path& file) {
  return nlohmann::json::parse(attn::io::read_text_file(file));  // strict: throws on anything not JSON
}

// Sets an environment variable for one test and restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

attn::io::RunRecord sample_record() {
  attn::io::RunRecord record{"name: t\n", 7, "cpu (2 threads, OpenBLAS Haswell)", 2,
                             {"attn-copy", "--config", "a \"quoted\" \\ path\nwith\ttabs", "caf\xc3\xa9"}, "t"};
  record.overrides = {"train.steps=3", "model.hidden_size=8", "name=\"x\""};
  return record;
}

}  // namespace

TEST_CASE("run.json: strict JSON with every field, overrides and environment round-trip", "[io][run_record]") {
  attn_test::TempDir tmp("run_record");
  ScopedEnv omp("OMP_ATTN_TEST_VARIABLE", "a \"quoted\" \\ value");
  ScopedEnv cublas("CUBLAS_WORKSPACE_CONFIG", ":4096:8");
  ScopedEnv other("ATTN_TEST_NOT_RECORDED", "1");
  const auto record = sample_record();
  const std::time_t before = std::time(nullptr);
  attn::io::write_run_record(tmp.path(), record);

  CHECK(attn::io::read_text_file(tmp / "config.yaml") == "name: t\n");
  const nlohmann::json run = parse_file(tmp / "run.json");
  REQUIRE(run.is_object());
  for (const char* field : {"experiment", "seed", "libattn_version", "device", "threads", "blas_core", "command_line",
                            "host", "started_utc", "libattn_commit", "libattn_dirty", "libtorch_version", "cuda",
                            "overrides", "environment"})
    CHECK(run.contains(field));
  CHECK(run["experiment"] == "t");
  CHECK(run["seed"] == 7);
  CHECK(run["libattn_version"] == attn::kVersion);
  CHECK(run["device"] == record.device);
  CHECK(run["threads"] == 2);
  CHECK(run["command_line"].get<std::vector<std::string>>() == record.command_line);
  CHECK(run["overrides"].get<std::vector<std::string>>() == record.overrides);
  CHECK(run["libtorch_version"] == TORCH_VERSION);
  CHECK(run["cuda"].is_null());  // a CPU device
  CHECK(run["libattn_commit"] == attn::kGitCommit);
  if (std::string(attn::kGitCommit) == "unknown") CHECK(run["libattn_dirty"].is_null());
  else CHECK(run["libattn_dirty"] == attn::kGitDirty);

  const nlohmann::json& environment = run["environment"];
  REQUIRE(environment.is_object());
  CHECK(environment["OMP_ATTN_TEST_VARIABLE"] == "a \"quoted\" \\ value");
  CHECK(environment["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8");
  CHECK_FALSE(environment.contains("ATTN_TEST_NOT_RECORDED"));
  CHECK_FALSE(environment.contains("PATH"));
  std::map<std::string, std::string> expected;
  for (const auto& [name, value] : attn::io::recorded_environment()) expected[name] = value;
  CHECK(environment.get<std::map<std::string, std::string>>() == expected);
  if (const char* threads = std::getenv("OMP_NUM_THREADS")) CHECK(environment["OMP_NUM_THREADS"] == threads);

  const double start = attn::io::recorded_start(tmp.path());
  CHECK(start >= static_cast<double>(before) - 1);
  CHECK(start <= static_cast<double>(std::time(nullptr)) + 1);
}

TEST_CASE("run.json: a CUDA device records a cuda object (versions null without a CUDA LibTorch)", "[io][run_record]") {
  attn_test::TempDir tmp("run_record_cuda");
  auto record = sample_record();
  record.device = "cuda:0 (1 CUDA devices)";
  record.command_line.push_back("latin1-\xe9");  // not UTF-8: written as U+FFFD, the file stays JSON
  attn::io::write_run_record(tmp.path(), record);
  const nlohmann::json run = parse_file(tmp / "run.json");
  CHECK(run["command_line"].back() == "latin1-\xef\xbf\xbd");
  REQUIRE(run["cuda"].is_object());
  for (const char* field : {"runtime", "cudnn", "gpu"}) CHECK(run["cuda"].contains(field));
  CHECK(run["cuda"]["gpu"].is_string());
}

TEST_CASE("recorded_start: a malformed run.json is an attn::Error naming the file", "[io][run_record]") {
  attn_test::TempDir tmp("run_record_bad");
  const std::string file = (tmp / "run.json").string();
  CHECK_THROWS_WITH(attn::io::recorded_start(tmp.path()), Catch::StartsWith(file + ": missing"));
  tmp.write("run.json", "{\"started_utc\": \"2026-11-22T04:24:50Z\",\n}");
  CHECK_THROWS_AS(attn::io::recorded_start(tmp.path()), attn::Error);
  CHECK_THROWS_WITH(attn::io::recorded_start(tmp.path()), Catch::StartsWith(file + ":2: JSON syntax error"));
  tmp.write("run.json", "{\"started_utc\": 17}");
  CHECK_THROWS_WITH(attn::io::recorded_start(tmp.path()), file + ": expected a \"started_utc\" field");
  tmp.write("run.json", "[]");
  CHECK_THROWS_WITH(attn::io::recorded_start(tmp.path()), file + ": expected a \"started_utc\" field");
  tmp.write("run.json", "{\"started_utc\": \"2026-11-22T04:24:50Z\"} // comment");
  CHECK_THROWS_WITH(attn::io::recorded_start(tmp.path()), Catch::Contains("JSON syntax error"));
  tmp.write("run.json", "{\"started_utc\": \"2026-11-22T04:24:50Z\"}");
  CHECK(attn::io::recorded_start(tmp.path()) == Approx(1795321490.0));
}

TEST_CASE("metrics.jsonl: strict JSON, inf and nan as null, finite numbers as in the CSV", "[io][json]") {
  const double inf = std::numeric_limits<double>::infinity();
  attn::train::MetricRow row;
  row.set("step", 10);
  row.set("train_loss", 576.5127563476562);  // a float's value: nlohmann's Grisu2 would print ...563
  row.set("eval_loss", inf);
  row.set("ratio", -inf);
  row.set("ktiw_accuracy", std::nan(""));
  row.set("lr", 1e-05);
  row.set("big", 2.5e20);
  const std::string text = attn::train::MetricRow::jsonl({row, row});
  const std::string line = R"({"step": 10, "train_loss": 576.5127563476562, "eval_loss": null, "ratio": null, )"
                           R"("ktiw_accuracy": null, "lr": 1e-05, "big": 2.5e+20})";
  CHECK(text == line + "\n" + line + "\n");
  std::istringstream in(text);
  std::string each;
  while (std::getline(in, each)) {
    const nlohmann::json parsed = nlohmann::json::parse(each);
    CHECK(parsed["train_loss"].get<double>() == 576.5127563476562);  // reads back exactly
    CHECK(parsed["eval_loss"].is_null());
    CHECK(parsed["lr"].get<double>() == 1e-05);
  }
}

TEST_CASE("benchmark.json: strict JSON, non-finite seconds as null", "[io][json]") {
  attn::tasks::ExtractionBenchmark b;
  b.examples = 12;
  b.probe_seconds = 0.12345;
  b.influence_seconds = 1.5;
  b.epoch_seconds = std::nan("");
  b.epoch_steps = 3;
  const nlohmann::json parsed = nlohmann::json::parse(b.json());
  CHECK(parsed["examples"] == 12);
  CHECK(parsed["probe_seconds"].get<double>() == 0.123);
  CHECK(parsed["extraction_seconds"].get<double>() == Approx(1.623));
  CHECK(parsed["epoch_seconds"].is_null());
  CHECK(parsed["epoch_steps"] == 3);
}

TEST_CASE("every JSON file a copy run writes parses strictly", "[io][json][apps]") {
  attn_test::TempDir tmp("json_files");
  auto tiny = tmp.write("tiny.yaml", "name: t\nseeds: 1\ndata: {vocab: 6, length: 4}\n"
                                     "model: {embedding_dim: 8, hidden_size: 8}\n"
                                     "train: {steps: 2, batch_size: 4, eval_every: 1, eval_examples: 4, checkpoint_every: 0}\n");
  const std::string command = std::string(ATTN_BINARY_DIR) + "/bin/attn-copy --quiet --device cpu --config " +
                              tiny.string() + " --out " + (tmp / "out").string() + " > /dev/null 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  int json_files = 0, jsonl_lines = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tmp / "out")) {
    const auto& file = entry.path();
    INFO(file.string());
    if (file.extension() == ".json") {
      CHECK_NOTHROW(parse_file(file));
      ++json_files;
    } else if (file.extension() == ".jsonl") {
      std::istringstream in(attn::io::read_text_file(file));
      for (std::string line; std::getline(in, line); ++jsonl_lines) CHECK_NOTHROW(nlohmann::json::parse(line));
    }
  }
  CHECK(json_files >= 1);   // run.json
  CHECK(jsonl_lines >= 3);  // metrics.jsonl: steps 0, 1, 2
}
