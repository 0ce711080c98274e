// Fault tests (issue 16) of the apps' bad input: each is a one-line error
// naming the file, field or flag, exit code 2, and nothing left behind.
// Each case failed (exit 0, a wrong message, or files written) before its fix.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "app_runner.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

using attn_test::last_line;
using attn_test::read_file;
using attn_test::run_app;

namespace {

// A path single-quoted for run_app's shell, apostrophes included.
std::string quoted(const fs::path& path) {
  std::string out = "'";
  for (char c : path.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A bad input: exit code 2, a one-line "<app>: error:" naming what is wrong.
void check_rejected(const std::string& app, const std::string& arguments, const std::string& expected) {
  INFO(app + " " + arguments);
  const auto outcome = run_app(app + " " + arguments);
  INFO(outcome.output);
  CHECK(outcome.code == 2);
  CHECK_THAT(last_line(outcome.output), StartsWith(app + ": error:") && Contains(expected));
}

const std::string kTinyBody =
    "seeds: 1\ndata: {vocab: 6, length: 4}\nmodel: {embedding_dim: 8, hidden_size: 8}\n"
    "train: {steps: 2, batch_size: 4, eval_every: 1, eval_examples: 4, checkpoint_every: 0}\n";

}  // namespace

TEST_CASE("faults: attn-copy names that are not one folder name are rejected before writing", "[faults][apps]") {
  attn_test::TempDir tmp("faults_names");
  const auto out = tmp / "box" / "out";
  struct Case {
    std::string name, expected;
  };
  for (const Case& c : std::vector<Case>{{"\"../../escaped\"", "name: expected a plain folder name"},
                                         {"a/b", "must not contain '/'"},
                                         {"\"\"", "must not be empty"}}) {
    const auto config = tmp.write("bad.yaml", "name: " + c.name + "\n" + kTinyBody);
    check_rejected("attn-copy", "--quiet --config " + config.string() + " --out " + out.string(), c.expected);
  }
  CHECK_FALSE(fs::exists(tmp / "box"));  // nothing inside or outside --out
  CHECK_FALSE(fs::exists(tmp / "escaped"));
}

TEST_CASE("faults: config errors: non-finite numbers, a directory, an empty file, duplicate keys", "[faults][apps]") {
  attn_test::TempDir tmp("faults_configs");
  const std::string out = " --out " + (tmp / "out").string();
  const auto lr = tmp.write("lr.yaml", "name: t\nseeds: 1\ntrain: {learning_rate: .inf}\n");
  check_rejected("attn-copy", "--config " + lr.string() + out, "train.learning_rate: expected a finite number");
  fs::create_directories(tmp / "dir.yaml");
  check_rejected("attn-copy", "--config " + (tmp / "dir.yaml").string() + out,
                 (tmp / "dir.yaml").string() + ": expected a config file, got a directory");
  check_rejected("attn-classify", "--config " + (tmp / "dir.yaml").string() + out,
                 (tmp / "dir.yaml").string() + ": expected a config file, got a directory");
  const auto empty = tmp.write("empty.yaml", "");
  check_rejected("attn-copy", "--config " + empty.string() + out, empty.string() + ": the config file is empty");
  const auto twice = tmp.write("twice.yaml", "name: t\nname: u\n" + kTinyBody);
  check_rejected("attn-copy", "--config " + twice.string() + out, twice.string() + ":2: name: duplicate key");
  CHECK_FALSE(fs::exists(tmp / "out"));
}

TEST_CASE("faults: flags: bounds, values that name their flag, --seeds 0, --resume on nothing", "[faults][apps]") {
  attn_test::TempDir tmp("faults_flags");
  const auto tiny = tmp.write("tiny.yaml", "name: t\n" + kTinyBody);
  const std::string base = "--quiet --config " + tiny.string() + " --out " + (tmp / "out").string();
  check_rejected("attn-copy", base + " --threads 100000", "--threads: expected 0");
  check_rejected("attn-copy", base + " --jobs 100000", "--jobs: expected 0");
  check_rejected("attn-copy", base + " --seeds 100000000000", "seeds: expected from 1 to 10000 seeds");
  check_rejected("attn-copy", base + " --seeds 0", "--seeds: expected a positive count");
  check_rejected("attn-copy", base + " --seeds abc", "--seeds: expected a number, got 'abc'");
  check_rejected("attn-copy", "--config " + tiny.string() + " --seeds --out " + (tmp / "out").string(),
                 "--seeds: expected a value, got the flag --out");
  check_rejected("attn-copy", base + " --threads abc", "--threads: expected a number, got 'abc'");
  check_rejected("attn-copy", base + " --resume", "--resume: " + (tmp / "out").string() + ": no such run folder");
  check_rejected("attn-toy", "--time 1e12 --out " + (tmp / "toy").string(), "--time: expected at most");
  check_rejected("attn-toy", "--dt abc --out " + (tmp / "toy").string(), "--dt: expected a number, got 'abc'");
  check_rejected("attn-bench", "--matmul-size 0", "--matmul-size: expected an n from 64");
  CHECK_FALSE(fs::exists(tmp / "out"));
  CHECK_FALSE(fs::exists(tmp / "toy"));

  // --resume on a folder without checkpoints says that it starts fresh.
  fs::create_directories(tmp / "empty");
  const auto fresh = run_app("attn-copy " + base.substr(0, base.find(" --out")) + " --out " +
                             (tmp / "empty").string() + " --resume");
  INFO(fresh.output);
  CHECK(fresh.code == 0);
  CHECK_THAT(fresh.output, Contains("holds no checkpoint or finished run yet; starting fresh"));
}

TEST_CASE("faults: attn-copy summary.csv quotes names, and an occupied --out keeps its experiment",
          "[faults][apps]") {
  attn_test::TempDir tmp("faults_summary");
  const auto out = tmp / "out";
  const auto comma = tmp.write("comma.yaml", "name: \"a,b\"\n" + kTinyBody);
  REQUIRE(run_app("attn-copy --quiet --device cpu --config " + comma.string() + " --out " + out.string()).code == 0);
  std::istringstream csv(read_file(out / "summary.csv"));
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  CHECK_THAT(row, StartsWith("\"a,b\",0,"));
  // Outside quotes, as many commas as the header has.
  size_t commas = 0;
  bool in_quotes = false;
  for (char c : row) {
    if (c == '"') in_quotes = !in_quotes;
    commas += !in_quotes && c == ',';
  }
  CHECK(commas == static_cast<size_t>(std::count(header.begin(), header.end(), ',')));

  const std::string summary = read_file(out / "summary.csv");
  const auto other = tmp.write("other.yaml", "name: other\n" + kTinyBody);
  check_rejected("attn-copy", "--quiet --config " + other.string() + " --out " + out.string(),
                 out.string() + ": holds the copy experiment 'a,b', not 'other'");
  CHECK(read_file(out / "summary.csv") == summary);
  CHECK_FALSE(fs::exists(out / "other"));
}

TEST_CASE("faults: a figure and its script survive an apostrophe in --out", "[faults][apps]") {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) return;  // no plotter, no figure to check
  attn_test::TempDir tmp("faults_gnuplot");
  const auto out = tmp / "it's here";
  const auto tiny = tmp.write("tiny.yaml", "name: t\n" + kTinyBody);
  const auto first = run_app("attn-copy --quiet --device cpu --config " + tiny.string() + " --out " + quoted(out));
  INFO(first.output);
  REQUIRE(first.code == 0);
  REQUIRE(fs::exists(out / "learning_curves.png"));
  // The saved script finds its data from any folder, after the run folder moved.
  const auto moved = tmp / "moved";
  fs::rename(out, moved);
  fs::remove(moved / "learning_curves.png");
  const std::string command = "cd / && gnuplot " + quoted(moved / "learning_curves.gp") + " 2>&1";
  CHECK(std::system(command.c_str()) == 0);
  CHECK(fs::exists(moved / "learning_curves.png"));
}

TEST_CASE("faults: attn-classify checks --only and a one-class training set before writing", "[faults][apps]") {
  attn_test::TempDir tmp("faults_classify");
  const auto keyword = tmp.write(
      "kw.yaml",
      "name: kw\ndata: {format: keyword, keyword: {vocab_size: 30, num_keywords: 3, min_length: 6, max_length: 12, "
      "train: 100, validation: 50, test: 50, seed: 5}}\n"
      "model: {embedding_dim: 8, hidden_size: 8, attention_hidden: 8}\n"
      "train: {steps: 2, batch_size: 8, eval_every: 1, eval_examples: 20, checkpoint_every: 1}\n");
  check_rejected("attn-classify", "--quiet --config " + keyword.string() + " --only Z --out " + (tmp / "out").string(),
                 "--only: no run named 'Z'");
  CHECK_FALSE(fs::exists(tmp / "out"));

  const auto train = tmp.write("train.tsv", "1\tbuy now\n1\tcheap pills\n1\twin money\n1\tfree offer\n");
  const auto test = tmp.write("test.tsv", "0\thello\n1\tbuy\n");
  const auto one_class = tmp.write("one.yaml", "name: one\ndata: {format: tsv, train: " + train.string() +
                                                   ", test: " + test.string() + ", validation_fraction: 0.25}\n");
  check_rejected("attn-classify", "--quiet --config " + one_class.string() + " --out " + (tmp / "one").string(),
                 train.string() + ": every training example has label 1");
  CHECK_FALSE(fs::exists(tmp / "one"));
}

TEST_CASE("faults: attn-multihead screening must keep a head", "[faults][apps]") {
  attn_test::TempDir tmp("faults_multihead");
  const auto config = tmp.write(
      "none.yaml",
      "name: none\ndata: {vocab: 8, length: 6}\nmodel: {architecture: multihead_gru, embedding_dim: 8, hidden_size: 8}\n"
      "screening: {good: 0, bad: 0}\ntrials: {count: 1, heads: 2, combinations: [random]}\n");
  check_rejected("attn-multihead", "--config " + config.string() + " --out " + (tmp / "out").string(),
                 "screening.good: expected screening to keep at least one head");
  CHECK_FALSE(fs::exists(tmp / "out"));
}
