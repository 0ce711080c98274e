// Issue 16, the training side: locks, durable writes under a full disk,
// divergence, SIGTERM / SIGINT, workers that die with their parent, and what a
// resume keeps (cumulative seconds, metrics rebuilt from the checkpoint,
// run.json untouched by a failed resume).
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "attn/core/error.h"
#include "attn/io/checkpoint.h"
#include "attn/io/files.h"
#include "attn/io/run_lock.h"
#include "app_runner.h"
#include "temp_dir.h"

extern char** environ;

namespace fs = std::filesystem;

using attn_test::read_file;
using attn_test::metrics_without_seconds;

namespace {


std::vector<fs::path> temporaries(const fs::path& dir) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) found.push_back(entry.path());
  return found;
}

// Runs `body` in a forked child; returns its exit code (the child reports
// failures through it, since Catch2's state stays in the parent).
int in_child(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 99;
    try {
      code = body();
    } catch (...) {
      code = 98;
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// An app started in the background, output in a file.
struct Background {
  pid_t pid = -1;
  fs::path log;
};

Background start_app(const std::string& arguments, const fs::path& log) {
  const std::string command = "exec " + std::string(ATTN_BINARY_DIR) + "/bin/" + arguments + " > '" +
                              log.string() + "' 2>&1";
  std::vector<std::string> args = {"/bin/sh", "-c", command};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Background app;
  app.log = log;
  REQUIRE(::posix_spawn(&app.pid, "/bin/sh", nullptr, nullptr, argv.data(), environ) == 0);
  return app;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool wait_for(const std::function<bool()>& condition, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

bool alive(pid_t pid) {
  // A zombie nobody reaps (PID 1 of a container may not) counts as dead.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> out;
  pid_t child;
  while (in >> child) out.push_back(child);
  return out;
}

const char* kLongCopy =
    "name: t\nseeds: 2\ndata: {vocab: 6, length: 4}\nmodel: {embedding_dim: 8, hidden_size: 8}\n"
    "train: {steps: 4000, batch_size: 4, eval_every: 100, eval_examples: 4, checkpoint_every: 2000}\n";

}  // namespace

TEST_CASE("faults: a run folder has one process, and the lock dies with its holder", "[faults]") {
  attn_test::TempDir tmp("faults_lock");
  const auto dir = tmp / "run";
  {
    attn::io::RunLock first(dir);
    attn::io::RunLock nested(dir);  // the same process may nest
    // Another process is refused, with this process's PID in the message.
    const int code = in_child([&] {
      try {
        attn::io::RunLock second(dir);
        return 1;
      } catch (const attn::Error& e) {
        const std::string message = e.what();
        return message.find("in use by process " + std::to_string(::getppid())) != std::string::npos ? 0 : 2;
      }
    });
    CHECK(code == 0);
  }
  // A holder killed with SIGKILL leaves no stale lock.
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t holder = ::fork();
  if (holder == 0) {
    attn::io::RunLock lock(dir);
    (void)!::write(ready[1], "x", 1);
    ::pause();
    ::_exit(0);
  }
  char byte;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  CHECK_THROWS_WITH(attn::io::RunLock(dir), Catch::Contains("in use by process " + std::to_string(holder)));
  ::kill(holder, SIGKILL);
  wait_exit(holder);
  CHECK_NOTHROW(attn::io::RunLock(dir));
}

TEST_CASE("faults: a write that fails (file too large) keeps the old file and leaves no temporary", "[faults]") {
  attn_test::TempDir tmp("faults_write");
  const auto file = tmp / "result.txt";
  attn::io::write_file_atomic(file, "old content\n");
  const auto checkpoint = tmp / "weights.pt";
  attn::io::save_tensor(checkpoint, "w", torch::ones({4}));
  const auto before = read_file(checkpoint);
  // RLIMIT_FSIZE makes write() fail with EFBIG, a real OS error like ENOSPC;
  // the library ignores SIGXFSZ, so the failure is an error, not a kill.
  const int code = in_child([&] {
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{4096, 4096};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 10;
    try {
      attn::io::write_file_atomic(file, std::string(100000, 'x'));
      return 11;
    } catch (const attn::Error& e) {
      const std::string message = e.what();
      if (message.find(file.string() + ": cannot write (File too large)") == std::string::npos) return 12;
    }
    try {
      attn::io::save_tensor(checkpoint, "w", torch::ones({100000}));
      return 13;
    } catch (const attn::Error& e) {
      const std::string message = e.what();
      if (message.find(checkpoint.string() + ": cannot write (File too large)") == std::string::npos) return 14;
    }
    return 0;
  });
  CHECK(code == 0);
  CHECK(read_file(file) == "old content\n");
  CHECK(read_file(checkpoint) == before);
  CHECK(attn::io::load_tensor(checkpoint, "w").numel() == 4);
  CHECK(temporaries(tmp.path()).empty());
}

TEST_CASE("faults: attn-copy under a file-size limit: one line naming the checkpoint, no crash, no leftovers",
          "[faults]") {
  attn_test::TempDir tmp("faults_full");
  auto config = tmp.write("c.yaml", "name: t\nseeds: 1\ndata: {vocab: 6, length: 4}\n"
                                    "model: {embedding_dim: 8, hidden_size: 8}\n"
                                    "train: {steps: 4, batch_size: 4, eval_every: 2, eval_examples: 4, "
                                    "checkpoint_every: 2}\n");
  // 24 KB: the text files fit, the checkpoint (model and Adam state) does not.
  const std::string command = "ulimit -f 24; exec " + std::string(ATTN_BINARY_DIR) +
                              "/bin/attn-copy --quiet --device cpu --jobs 1 --config " + config.string() +
                              " --out " + (tmp / "out").string() + " > " + (tmp / "log.txt").string() + " 2>&1";
  const int status = std::system(("/bin/bash -c '" + command + "'").c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const std::string log = read_file(tmp / "log.txt");
  INFO(log);
  CHECK(code == 2);
  CHECK_THAT(log, Catch::Contains("checkpoint.pt: cannot write (File too large)"));
  CHECK_THAT(log, !Catch::Contains("terminate called") && !Catch::Contains("--resume"));
  CHECK(temporaries(tmp / "out").empty());
  // A stale temporary from a killed writer is removed by the next run.
  tmp.write("out/t/seed_00/checkpoint.pt.tmp.12345", "half a checkpoint");
  const std::string resume = std::string(ATTN_BINARY_DIR) + "/bin/attn-copy --quiet --device cpu --jobs 1 --config " +
                             config.string() + " --out " + (tmp / "out").string() + " --resume > /dev/null 2>&1";
  CHECK(std::system(resume.c_str()) == 0);
  CHECK(temporaries(tmp / "out").empty());
}

TEST_CASE("faults: a diverging run stops at once, is not marked done, and keeps its last checkpoint", "[faults]") {
  attn_test::TempDir tmp("faults_diverge");
  auto config = tmp.write("c.yaml", "name: t\nseeds: 1\ndata: {vocab: 6, length: 4}\n"
                                    "model: {embedding_dim: 8, hidden_size: 8}\n"
                                    "train: {steps: 400, batch_size: 4, eval_every: 2, eval_examples: 4, "
                                    "checkpoint_every: 2, learning_rate: 1e30}\n");
  const std::string command = std::string(ATTN_BINARY_DIR) + "/bin/attn-copy --quiet --device cpu --jobs 1 --config " +
                              config.string() + " --out " + (tmp / "out").string() + " > " +
                              (tmp / "log.txt").string() + " 2>&1";
  const int status = std::system(command.c_str());
  const std::string log = read_file(tmp / "log.txt");
  INFO(log);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK_THAT(log, Catch::Contains((tmp / "out" / "t" / "seed_00").string() + ": training diverged at step"));
  CHECK(!fs::exists(tmp / "out" / "t" / "seed_00" / "done"));
  CHECK(!fs::exists(tmp / "out" / "summary.csv"));
  // In worker processes: each worker names its run, and the parent does not
  // advise --resume, which would only diverge again.
  auto two = tmp.write("two.yaml", read_file(config).replace(read_file(config).find("seeds: 1"), 8, "seeds: 2"));
  const std::string workers = std::string(ATTN_BINARY_DIR) + "/bin/attn-copy --quiet --device cpu --jobs 2 --config " +
                              two.string() + " --out " + (tmp / "out2").string() + " > " +
                              (tmp / "log2.txt").string() + " 2>&1";
  const int workers_status = std::system(workers.c_str());
  const std::string log2 = read_file(tmp / "log2.txt");
  INFO(log2);
  CHECK(WEXITSTATUS(workers_status) == 2);
  CHECK_THAT(log2, Catch::Contains((tmp / "out2" / "t" / "seed_01").string() + ": training diverged at step"));
  CHECK_THAT(log2, !Catch::Contains("rerun with --resume"));
}

TEST_CASE("faults: SIGTERM checkpoints every worker, exits 75, and --resume ends identical to an uninterrupted run",
          "[faults]") {
  attn_test::TempDir tmp("faults_sigterm");
  auto config = tmp.write("c.yaml", kLongCopy);
  const std::string base = "attn-copy --quiet --device cpu --jobs 2 --config " + config.string();
  const auto out = tmp / "out";
  auto app = start_app(base + " --out " + out.string(), tmp / "log.txt");
  // Both workers are training once each has written a metrics row past step 0.
  const bool started = wait_for([&] {
    for (const char* seed : {"seed_00", "seed_01"}) {
      const auto text = read_file(out / "t" / seed / "metrics.csv");
      if (std::count(text.begin(), text.end(), '\n') < 3) return false;
    }
    return true;
  }, 120);
  REQUIRE(started);
  const auto workers = children_of(app.pid);
  ::kill(app.pid, SIGTERM);
  const int code = wait_exit(app.pid);
  const std::string log = read_file(tmp / "log.txt");
  INFO(log);
  CHECK(code == 75);
  CHECK_THAT(log, Catch::Contains("stopped by SIGTERM") && Catch::Contains("continue with --resume"));
  for (pid_t worker : workers) CHECK_FALSE(alive(worker));
  for (const char* seed : {"seed_00", "seed_01"}) {
    CHECK(fs::exists(out / "t" / seed / "checkpoint.pt"));
    CHECK(!fs::exists(out / "t" / seed / "done"));
  }
  // Resumed, the runs end as an uninterrupted run of the same config does.
  const std::string resume = std::string(ATTN_BINARY_DIR) + "/bin/" + base + " --out " + out.string() +
                             " --resume > /dev/null 2>&1";
  REQUIRE(std::system(resume.c_str()) == 0);
  const std::string whole = std::string(ATTN_BINARY_DIR) + "/bin/" + base + " --out " + (tmp / "whole").string() +
                            " > /dev/null 2>&1";
  REQUIRE(std::system(whole.c_str()) == 0);
  for (const char* seed : {"seed_00", "seed_01"}) {
    CHECK(metrics_without_seconds(out / "t" / seed / "metrics.csv") ==
          metrics_without_seconds(tmp / "whole" / "t" / seed / "metrics.csv"));
    // The seconds column is cumulative across the two invocations.
    std::istringstream rows(read_file(out / "t" / seed / "metrics.csv"));
    std::string header, line;
    std::getline(rows, header);
    std::vector<std::string> names;
    {
      std::stringstream ss(header);
      std::string field;
      while (std::getline(ss, field, ',')) names.push_back(field);
    }
    const auto column = std::find(names.begin(), names.end(), "seconds") - names.begin();
    double previous = -1;
    while (std::getline(rows, line)) {
      std::stringstream ss(line);
      std::string field;
      for (long i = 0; i <= column; ++i) std::getline(ss, field, ',');
      const double seconds = std::stod(field);
      CHECK(seconds >= previous);
      previous = seconds;
    }
  }
}

TEST_CASE("faults: workers die with their parent, even after SIGKILL, and leave a checkpoint", "[faults]") {
  attn_test::TempDir tmp("faults_orphans");
  auto config = tmp.write("c.yaml", kLongCopy);
  const auto out = tmp / "out";
  auto app = start_app("attn-copy --quiet --device cpu --jobs 2 --config " + config.string() + " --out " +
                           out.string(),
                       tmp / "log.txt");
  REQUIRE(wait_for([&] {
    return read_file(out / "t" / "seed_00" / "metrics.csv").size() > 0 &&
           read_file(out / "t" / "seed_01" / "metrics.csv").size() > 0;
  }, 120));
  const auto workers = children_of(app.pid);
  REQUIRE(workers.size() == 2);
  ::kill(app.pid, SIGKILL);
  wait_exit(app.pid);
  CHECK(wait_for([&] { return !alive(workers[0]) && !alive(workers[1]); }, 60));
  for (const char* seed : {"seed_00", "seed_01"}) CHECK(fs::exists(out / "t" / seed / "checkpoint.pt"));
}

TEST_CASE("faults: SIGTERM stops an app that trains nothing (attn-bench) at once, as it stops any program",
          "[faults]") {
  // Handlers that only record the signal are installed by the code that
  // polls it; an app without such code must not ignore SIGTERM / Ctrl-C
  // (attn-analyze once ran on to the end after a kill).
  attn_test::TempDir tmp("faults_sigterm_bench");
  auto config = tmp.write("c.yaml", kLongCopy);
  auto app = start_app("attn-bench --device cpu --threads 1 --matmul-size 64 --steps 100000000 --config " +
                           config.string(),
                       tmp / "log.txt");
  REQUIRE(wait_for([&] { return read_file(tmp / "log.txt").find("OpenBLAS") != std::string::npos; }, 60));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  REQUIRE(alive(app.pid));
  ::kill(app.pid, SIGTERM);
  int status = 0;
  const bool exited = wait_for([&] { return ::waitpid(app.pid, &status, WNOHANG) == app.pid; }, 30);
  if (!exited) {
    ::kill(app.pid, SIGKILL);
    wait_exit(app.pid);
  }
  INFO(read_file(tmp / "log.txt"));
  REQUIRE(exited);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGTERM);
}

TEST_CASE("faults: a second process on a training run is refused, a failed resume leaves run.json, metrics come "
          "back from the checkpoint", "[faults]") {
  attn_test::TempDir tmp("faults_second");
  auto config = tmp.write("c.yaml", kLongCopy);
  const auto out = tmp / "out";
  const auto seed = out / "t" / "seed_00";
  auto app = start_app("attn-copy --quiet --device cpu --jobs 1 --config " + config.string() + " --out " +
                           out.string(),
                       tmp / "log.txt");
  REQUIRE(wait_for([&] { return fs::exists(seed / "run.json"); }, 120));
  const std::string run_json = read_file(seed / "run.json");
  const std::string second = std::string(ATTN_BINARY_DIR) + "/bin/attn-copy --quiet --device cpu --jobs 1 --config " +
                             config.string() + " --out " + out.string() + " --resume > " +
                             (tmp / "second.txt").string() + " 2>&1";
  const int status = std::system(second.c_str());
  CHECK(WEXITSTATUS(status) == 2);
  CHECK_THAT(read_file(tmp / "second.txt"), Catch::Contains("in use by process " + std::to_string(app.pid)));
  CHECK(read_file(seed / "run.json") == run_json);
  ::kill(app.pid, SIGTERM);
  CHECK(wait_exit(app.pid) == 75);
  // A damaged checkpoint: the resume fails and run.json stays as it was.
  const auto checkpoint = read_file(seed / "checkpoint.pt");
  {
    std::ofstream damaged(seed / "checkpoint.pt", std::ios::binary);
    damaged << "not a checkpoint";
  }
  CHECK(WEXITSTATUS(std::system(second.c_str())) == 2);
  CHECK_THAT(read_file(tmp / "second.txt"), Catch::Contains("not a libattn checkpoint"));
  CHECK(read_file(seed / "run.json") == run_json);
  // Restored, with metrics.csv deleted: the resume rebuilds it from the checkpoint's history.
  {
    std::ofstream restored(seed / "checkpoint.pt", std::ios::binary);
    restored << checkpoint;
  }
  const auto rows_before = read_file(seed / "metrics.csv");
  fs::remove(seed / "metrics.csv");
  auto resumed = start_app("attn-copy --quiet --device cpu --jobs 1 --config " + config.string() + " --out " +
                               out.string() + " --resume",
                           tmp / "log2.txt");
  REQUIRE(wait_for([&] { return read_file(seed / "metrics.csv").size() >= rows_before.size(); }, 120));
  ::kill(resumed.pid, SIGTERM);
  CHECK(wait_exit(resumed.pid) == 75);
  CHECK(read_file(seed / "metrics.csv").substr(0, rows_before.size()) == rows_before);
}

TEST_CASE("faults: a finished run whose metrics were deleted is summarised from its checkpoint", "[faults]") {
  attn_test::TempDir tmp("faults_rebuild");
  auto config = tmp.write("c.yaml", "name: t\nseeds: 1\ndata: {vocab: 6, length: 4}\n"
                                    "model: {embedding_dim: 8, hidden_size: 8}\n"
                                    "train: {steps: 4, batch_size: 4, eval_every: 2, eval_examples: 4, "
                                    "checkpoint_every: 2}\n");
  const std::string base = std::string(ATTN_BINARY_DIR) + "/bin/attn-copy --quiet --device cpu --jobs 1 --config " +
                           config.string() + " --out " + (tmp / "out").string();
  REQUIRE(std::system((base + " > /dev/null 2>&1").c_str()) == 0);
  const auto seed = tmp / "out" / "t" / "seed_00";
  const auto metrics = read_file(seed / "metrics.csv"), summary = read_file(tmp / "out" / "summary.csv");
  fs::remove(seed / "metrics.csv");
  fs::remove(seed / "metrics.jsonl");
  CHECK(std::system((base + " --resume > /dev/null 2>&1").c_str()) == 0);
  CHECK(read_file(seed / "metrics.csv") == metrics);
  CHECK(fs::exists(seed / "metrics.jsonl"));
  CHECK(read_file(tmp / "out" / "summary.csv") == summary);
}

TEST_CASE("faults: a copy-task folder given to attn-analyze or attn-multihead --report is named for what it is",
          "[faults]") {
  attn_test::TempDir tmp("faults_kind");
  auto config = tmp.write("c.yaml", "name: t\nseeds: 1\ndata: {vocab: 6, length: 4}\n"
                                    "model: {embedding_dim: 8, hidden_size: 8}\n"
                                    "train: {steps: 2, batch_size: 4, eval_every: 2, eval_examples: 4}\n");
  const std::string bin = std::string(ATTN_BINARY_DIR) + "/bin/";
  REQUIRE(std::system((bin + "attn-copy --quiet --device cpu --jobs 1 --config " + config.string() + " --out " +
                       (tmp / "out").string() + " > /dev/null 2>&1")
                          .c_str()) == 0);
  for (const auto& [command, folder] :
       std::vector<std::pair<std::string, fs::path>>{{"attn-analyze --runs ", tmp / "out"},
                                                      {"attn-analyze --runs ", tmp / "out" / "t"},
                                                      {"attn-multihead --report --out ", tmp / "out" / "t"}}) {
    const int status =
        std::system((bin + command + folder.string() + " > " + (tmp / "log.txt").string() + " 2>&1").c_str());
    const std::string log = read_file(tmp / "log.txt");
    INFO(command << folder.string() << "\n" << log);
    CHECK(WEXITSTATUS(status) == 2);
    CHECK_THAT(log, Catch::Contains(folder.string() + ": this is a copy-task folder (written by attn-copy)"));
  }
}
