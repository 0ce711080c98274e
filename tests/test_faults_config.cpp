// Fault tests (issue 16) of the shared input paths: config files, names used
// as folders, CSV fields, the command line. Each case failed before its fix.
#include <catch2/catch.hpp>

#include <cxxopts.hpp>

#include <functional>
#include <string>
#include <vector>

#include "attn/cli/command_line.h"
#include "attn/cli/copy_launch.h"
#include "attn/core/error.h"
#include "attn/io/config.h"
#include "attn/io/csv.h"
#include "attn/io/path_name.h"
#include "temp_dir.h"

using Catch::Matchers::Contains;

namespace {
std::string error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const attn::Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("faults: a name used as a folder must be one plain path component", "[faults]") {
  for (const std::string bad : {"", ".", "..", "../../escaped", "a/b", "/abs", "a\\b", "-x", "tab\there"}) {
    INFO(bad);
    const std::string message = error_of([&] { attn::io::check_path_component(bad, "exp.yaml: name"); });
    CHECK_THAT(message, Contains("exp.yaml: name: expected a plain folder name"));
    CHECK(message.find('\n') == std::string::npos);
  }
  for (const std::string good : {"t", "main-subset", "a,b", "it's", "x.y", "uniform"}) {
    INFO(good);
    CHECK(attn::io::path_component_problem(good).empty());
  }
}

TEST_CASE("faults: config floating-point values must be finite", "[faults]") {
  for (const std::string value : {".inf", "-.inf", ".nan"}) {
    const auto root = attn::io::ConfigNode::parse("train: {learning_rate: " + value + "}\n", "exp.yaml");
    const std::string message = error_of([&] { root.child("train").get_double("learning_rate", 0.001); });
    CHECK_THAT(message, Contains("exp.yaml: train.learning_rate: expected a finite number"));
  }
  const auto fine = attn::io::ConfigNode::parse("lr: 1e-3\n", "exp.yaml");
  CHECK(fine.get_double("lr", 0.5) == Approx(1e-3));
}

TEST_CASE("faults: a directory, an empty file, duplicate keys and deep nesting are config errors", "[faults]") {
  attn_test::TempDir tmp("faults_config");
  std::filesystem::create_directories(tmp / "folder.yaml");
  CHECK_THAT(error_of([&] { attn::io::ConfigNode::load_file(tmp / "folder.yaml"); }),
             Contains((tmp / "folder.yaml").string()) && Contains("directory"));
  const auto empty = tmp.write("empty.yaml", "\n  \n");
  CHECK_THAT(error_of([&] { attn::io::ConfigNode::load_file(empty); }),
             Contains(empty.string()) && Contains("empty"));
  const auto twice = tmp.write("twice.yaml", "name: a\ntrain:\n  steps: 5\n  steps: 7\n");
  CHECK_THAT(error_of([&] { attn::io::ConfigNode::load_file(twice); }),
             Contains(twice.string() + ":4: train.steps: duplicate key (first given at line 3)"));
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "{a: ";
  deep += "1";
  for (int i = 0; i < 200; ++i) deep += "}";
  const auto nested = tmp.write("deep.yaml", deep + "\n");
  const std::string message = error_of([&] { attn::io::ConfigNode::load_file(nested); });
  CHECK_THAT(message, Contains(nested.string() + ":1: nested deeper than 64 levels"));
}

TEST_CASE("faults: CSV fields are quoted as RFC 4180 says", "[faults]") {
  CHECK(attn::io::csv_field("plain") == "plain");
  CHECK(attn::io::csv_field("a,b") == "\"a,b\"");
  CHECK(attn::io::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(attn::io::csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(attn::io::csv_row({"a,b", "1", ""}) == "\"a,b\",1,\n");
}

TEST_CASE("faults: command-line parse errors name the flag", "[faults]") {
  auto parse = [](std::vector<std::string> words) {
    cxxopts::Options options("app", "test");
    options.add_options()("seeds", "n", cxxopts::value<int64_t>()->default_value("0"))(
        "out", "dir", cxxopts::value<std::string>())("quiet", "q");
    std::vector<const char*> argv{"app"};
    for (const auto& w : words) argv.push_back(w.c_str());
    return error_of([&] { attn::cli::parse_flags(options, static_cast<int>(argv.size()), argv.data()); });
  };
  CHECK_THAT(parse({"--seeds", "abc"}), Contains("--seeds: expected a number, got 'abc'"));
  CHECK_THAT(parse({"--seeds=abc"}), Contains("--seeds: expected a number, got 'abc'"));
  CHECK_THAT(parse({"--seeds", "--out", "x"}), Contains("--seeds: expected a value, got the flag --out"));
  CHECK_THAT(parse({"--out"}), Contains("--out: expected a value"));
  CHECK_THAT(parse({"--frobnicate"}), Contains("--frobnicate: unknown flag"));
  // A word no flag takes (a switch given a value) is refused, not ignored.
  CHECK_THAT(parse({"--quiet", "yes"}), Contains("'yes': unexpected argument"));
  CHECK_THAT(parse({"--out", "x", "y"}), Contains("'y': unexpected argument"));
  CHECK(parse({"--seeds", "3", "--out", "x", "--quiet"}).empty());
  CHECK(attn::cli::max_threads() >= 4);
  CHECK(attn::cli::max_threads() <= 1024);
}

TEST_CASE("faults: a worker's seed list is comma-separated non-negative integers", "[faults]") {
  CHECK(attn::cli::parse_seed_list("3", "--worker-seeds") == std::vector<int64_t>{3});
  CHECK(attn::cli::parse_seed_list("0,12,7", "--worker-seeds") == std::vector<int64_t>{0, 12, 7});
  for (const std::string bad : {"", "1,,2", "1,", ",1", "-1", "1.5", "x", "2 ,3", "99999999999999999999"}) {
    INFO("'" << bad << "'");
    CHECK_THAT(error_of([&] { attn::cli::parse_seed_list(bad, "--worker-seeds"); }),
               Contains("--worker-seeds: expected comma-separated non-negative seeds, got '" + bad + "'"));
  }
}
