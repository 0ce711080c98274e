// --launcher slurm against a real Slurm (issue 18): a one-node cluster on
// localhost (scripts/local-slurm.sh: munged, slurmctld, slurmd, everything in
// the test's folder), a copy run set submitted as a job array plus its summary
// job, and a task interrupted twice (the time-limit warning signal, then
// `scontrol requeue`) that resumes and ends as an uninterrupted run. Catch2 tag
// [slurm], CTest label `slurm`. The cluster is stopped (jobs cancelled,
// daemons stopped by their process ids) when a test ends, also when a check
// fails. Without root or the Debian packages the tests print SLURM-SKIPPED and
// CTest counts them as skipped.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app_runner.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using attn_test::metrics_without_seconds;
using attn_test::read_file;
using attn_test::run_app;
using attn_test::run_shell;

namespace {

bool slurm_wait_for(const std::function<bool()>& condition, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return condition();
}

// The one-node cluster of one test, in `dir`; SLURM_CONF points the apps and
// the Slurm commands at it while it is up.
class LocalSlurm {
 public:
  explicit LocalSlurm(const fs::path& dir) : dir_(dir) {
    const auto outcome = run_shell(script() + " start " + dir_.string());
    up_ = outcome.code == 0;
    message_ = outcome.output;
    if (up_) ::setenv("SLURM_CONF", (dir_ / "slurm.conf").c_str(), 1);
  }
  ~LocalSlurm() {
    run_shell(script() + " stop " + dir_.string());
    ::unsetenv("SLURM_CONF");
  }
  LocalSlurm(const LocalSlurm&) = delete;
  LocalSlurm& operator=(const LocalSlurm&) = delete;

  bool up() const { return up_; }
  const std::string& message() const { return message_; }

 private:
  static std::string script() { return std::string(ATTN_SOURCE_DIR) + "/scripts/local-slurm.sh"; }
  fs::path dir_;
  bool up_ = false;
  std::string message_;
};

// CTest turns this line into "skipped" (tests/CMakeLists.txt).
void skip(const LocalSlurm& slurm) {
  std::cout << "SLURM-SKIPPED: the one-node Slurm cluster could not start (needs root and Debian's slurm-wlm and "
               "munge; scripts/setup.sh installs them): "
            << slurm.message() << std::endl;
}

// The job ids and stages of <out>/slurm/jobs.csv, oldest first.
std::vector<std::pair<std::string, std::string>> recorded_jobs(const fs::path& out) {
  std::vector<std::pair<std::string, std::string>> jobs;  // (stage, id)
  std::istringstream lines(read_file(out / "slurm" / "jobs.csv"));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::stringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    if (fields.size() >= 3) jobs.emplace_back(fields[1], fields[2]);
  }
  return jobs;
}

// True once none of `ids` is pending, running or completing.
bool jobs_ended(const std::vector<std::string>& ids) {
  std::string list;
  for (const auto& id : ids) list += (list.empty() ? "" : ",") + id;
  const auto queued = run_shell("squeue -h -o %i -j " + list);
  return queued.code == 0 && queued.output.find_first_not_of(" \n") == std::string::npos;
}

// How many tasks of job `id` ended in `state` ("COMPLETED").
int tasks_in_state(const std::string& id, const std::string& state) {
  const std::string text = run_shell("scontrol show job " + id).output;
  int count = 0;
  for (size_t at = text.find("JobState=" + state); at != std::string::npos;
       at = text.find("JobState=" + state, at + 1))
    ++count;
  return count;
}

// summary.md up to its Cost section (the rest is wall time).
std::string summary_results(const fs::path& out) {
  const std::string text = read_file(out / "summary.md");
  return text.substr(0, text.find("## Cost"));
}

size_t line_count(const fs::path& file) {
  const std::string text = read_file(file);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("slurm: a copy run set submitted as a job array and its summary job equals the local run", "[slurm]") {
  attn_test::TempDir tmp("slurm_set");
  LocalSlurm slurm(tmp / "cluster");
  if (!slurm.up()) return skip(slurm);
  const auto config = tmp.write("t.yaml", "name: t\nseeds: 4\ndata: {vocab: 6, length: 4}\n"
                                          "model: {embedding_dim: 8, hidden_size: 8}\n"
                                          "train: {steps: 40, batch_size: 4, eval_every: 10, eval_examples: 8, "
                                          "checkpoint_every: 20}\n");
  const std::string app = "attn-copy --quiet --device cpu --config " + config.string();
  const fs::path local = tmp / "local", cluster = tmp / "cluster-run";
  const auto whole = run_app(app + " --jobs 2 --threads 2 --out " + local.string());
  REQUIRE(whole.code == 0);

  // One run trained beforehand through the public single-run flag: the
  // submission leaves it out.
  const auto one = run_app(app + " --threads 1 --out " + cluster.string() + " --only-run t/seed_01");
  INFO(one.output);
  REQUIRE(one.code == 0);
  REQUIRE(fs::exists(cluster / "t" / "seed_01" / "done"));

  const std::string submit = app + " --out " + cluster.string() + " --launcher slurm --partition debug --time 00:10:00";
  const auto dry = run_app(submit + " --dry-run --sbatch-option=--mail-type=END,FAIL");
  INFO(dry.output);
  REQUIRE(dry.code == 0);
  CHECK_THAT(dry.output, Catch::Contains("#SBATCH --array=0-2") && Catch::Contains("--only-run t/seed_00") &&
                             !Catch::Contains("--only-run t/seed_01") && Catch::Contains("#SBATCH --requeue") &&
                             Catch::Contains("#SBATCH --signal=B:TERM@") && Catch::Contains("#SBATCH --partition=debug") &&
                             Catch::Contains("#SBATCH --time=00:10:00") &&
                             Catch::Contains("#SBATCH --mail-type=END,FAIL") && Catch::Contains("--summarize") &&
                             Catch::Contains("--dependency=afterok:"));
  CHECK_FALSE(fs::exists(cluster / "slurm" / "jobs.csv"));  // nothing submitted

  const auto start = std::chrono::steady_clock::now();
  const auto submitted = run_app(submit);
  INFO(submitted.output);
  REQUIRE(submitted.code == 0);
  const auto jobs = recorded_jobs(cluster);
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].first == "runs");
  CHECK(jobs[1].first == "summary");
  REQUIRE(slurm_wait_for([&] { return jobs_ended({jobs[0].second, jobs[1].second}); }, 150));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("slurm: 3 array tasks and the summary job ran in {:.1f} s\n", seconds);
  const std::string logs = run_shell("cat " + (cluster / "slurm").string() + "/*.out").output;
  INFO(logs);
  CHECK(tasks_in_state(jobs[0].second, "COMPLETED") == 3);
  CHECK(tasks_in_state(jobs[1].second, "COMPLETED") == 1);

  for (const char* seed : {"seed_00", "seed_01", "seed_02", "seed_03"}) {
    INFO(seed);
    CHECK(fs::exists(cluster / "t" / seed / "done"));
    CHECK(metrics_without_seconds(cluster / "t" / seed / "metrics.csv") ==
          metrics_without_seconds(local / "t" / seed / "metrics.csv"));
  }
  CHECK(read_file(cluster / "summary.csv") == read_file(local / "summary.csv"));
  CHECK(summary_results(cluster) == summary_results(local));
  CHECK_THAT(summary_results(cluster), Catch::Contains("### t") && Catch::Contains("/4 seeds"));

  // Submitted again with every run finished: only the summary goes.
  const auto again = run_app(submit);
  INFO(again.output);
  CHECK(again.code == 0);
  CHECK_THAT(again.output, Catch::Contains("submitting only the summary"));
  const auto after = recorded_jobs(cluster);
  REQUIRE(after.size() == 3);
  CHECK(after[2].first == "summary");
  CHECK(slurm_wait_for([&] { return jobs_ended({after[2].second}); }, 60));
  CHECK(tasks_in_state(after[2].second, "COMPLETED") == 1);
}

TEST_CASE("slurm: a task stopped by the time-limit signal and requeued by Slurm resumes and ends as an uninterrupted run",
          "[slurm]") {
  attn_test::TempDir tmp("slurm_requeue");
  LocalSlurm slurm(tmp / "cluster");
  if (!slurm.up()) return skip(slurm);
  const auto config = tmp.write("t.yaml", "name: t\nseeds: 1\ndata: {vocab: 6, length: 4}\n"
                                          "model: {embedding_dim: 8, hidden_size: 8}\n"
                                          "train: {steps: 3000, batch_size: 4, eval_every: 100, eval_examples: 4, "
                                          "checkpoint_every: 1500}\n");
  const std::string app = "attn-copy --quiet --device cpu --threads 1 --config " + config.string();
  const fs::path out = tmp / "run";
  const auto submitted = run_app(app + " --out " + out.string() + " --launcher slurm");
  INFO(submitted.output);
  REQUIRE(submitted.code == 0);
  const auto jobs = recorded_jobs(out);
  REQUIRE(jobs.size() == 2);
  const std::string task = jobs[0].second + "_0";
  const fs::path metrics = out / "t" / "seed_00" / "metrics.csv";
  const fs::path log = out / "slurm" / ("runs-" + task + ".out");

  // Slurm delays a requeued job by about two minutes; the test lets it start at once.
  auto start_now_once_pending = [&] {
    REQUIRE(slurm_wait_for([&] { return run_shell("squeue -h -o %T -j " + task).output.find("PENDING") == 0; }, 60));
    REQUIRE(run_shell("scontrol update jobid=" + task + " StartTime=now").code == 0);
  };
  auto interrupt_after_progress = [&](const std::string& command) {
    const size_t rows = line_count(metrics);
    REQUIRE(slurm_wait_for([&] { return line_count(metrics) >= rows + 2; }, 90));  // training (again)
    const auto sent = run_shell(command);
    INFO(sent.output);
    REQUIRE(sent.code == 0);
    start_now_once_pending();
  };
  // 1. The warning before a time limit (--signal=B:TERM reaches the batch
  //    shell only): the script passes it on, the app checkpoints and exits 75,
  //    and the script requeues its own task.
  interrupt_after_progress("scancel --batch --signal=TERM " + task);
  // 2. Preemption or an operator: Slurm requeues the task itself.
  interrupt_after_progress("scontrol requeue " + task);
  REQUIRE(slurm_wait_for([&] { return jobs_ended({jobs[0].second, jobs[1].second}); }, 150));

  const std::string text = read_file(log);
  INFO(text);
  CHECK(tasks_in_state(jobs[0].second, "COMPLETED") == 1);
  CHECK(tasks_in_state(jobs[1].second, "COMPLETED") == 1);
  CHECK_THAT(run_shell("scontrol show job " + task).output, Catch::Contains("Restarts=2"));
  size_t stops = 0;
  for (size_t at = text.find("stopped by SIGTERM"); at != std::string::npos; at = text.find("stopped by SIGTERM", at + 1))
    ++stops;
  CHECK(stops == 2);
  CHECK_THAT(text, Catch::Contains("stopped at a checkpoint (exit 75): requeueing it"));
  CHECK(fs::exists(out / "t" / "seed_00" / "done"));
  CHECK(fs::exists(out / "summary.csv"));

  const auto whole = run_app(app + " --out " + (tmp / "whole").string());
  REQUIRE(whole.code == 0);
  CHECK(metrics_without_seconds(metrics) == metrics_without_seconds(tmp / "whole" / "t" / "seed_00" / "metrics.csv"));
  CHECK(read_file(out / "summary.csv") == read_file(tmp / "whole" / "summary.csv"));
}

// The flags of --launcher and the public single-unit flags, without a cluster.
TEST_CASE("launcher flags: site options need --launcher slurm, and a unit that is not in the set is named",
          "[apps]") {
  attn_test::TempDir tmp("launcher_flags");
  const auto config = tmp.write("t.yaml", "name: t\nseeds: 2\ndata: {vocab: 6, length: 4}\n"
                                          "model: {embedding_dim: 8, hidden_size: 8}\n"
                                          "train: {steps: 4, batch_size: 4, eval_every: 2, eval_examples: 4}\n");
  const std::string app = "attn-copy --quiet --device cpu --config " + config.string() + " --out " +
                          (tmp / "out").string();
  struct Case {
    std::string flags, expected;
  };
  const std::vector<Case> cases = {
      {" --partition gpu", "--partition: only with --launcher slurm"},
      {" --dry-run", "--dry-run: only with --launcher slurm"},
      {" --launcher pbs", "--launcher: expected local or slurm, got 'pbs'"},
      {" --launcher slurm --sbatch-option=qos=long", "--sbatch-option: expected one sbatch option starting with --"},
      {" --only-run t/seed_07", "--only-run: expected a run of the configs given (<config name>/seed_<NN>: "
                                "t/seed_00, t/seed_01), got 't/seed_07'"},
  };
  for (const auto& c : cases) {
    INFO(c.flags);
    const auto outcome = run_app(app + c.flags);
    CHECK(outcome.code == 2);
    CHECK_THAT(attn_test::last_line(outcome.output), Catch::StartsWith("attn-copy: error:") && Catch::Contains(c.expected));
  }
  CHECK_FALSE(fs::exists(tmp / "out" / "t" / "seed_07"));
}

TEST_CASE("attn-multihead through its single-unit flags, as a launcher drives it, keeps the heads and trials of a "
          "local run",
          "[apps][multihead]") {
  attn_test::TempDir tmp("units_multihead");
  // The micro experiment of the attn-multihead app test (both classes within a few draws).
  const auto config = tmp.write(
      "micro.yaml",
      "name: micro\ndata: {vocab: 8, length: 6}\n"
      "model: {architecture: multihead_gru, embedding_dim: 16, hidden_size: 16}\n"
      "train: {steps: 20, batch_size: 16, learning_rate: 0.01, eval_every: 5, eval_examples: 32, eval_set: fixed, "
      "checkpoint_every: 10}\n"
      "screening: {good: 2, bad: 2, max_draws: 60, data_seeds: [0, 1], good_threshold: 0.33, bad_threshold: 0.33}\n"
      "trials: {count: 2, heads: 2}\n");
  const fs::path local = tmp / "local", units = tmp / "units";
  const auto whole = run_app("attn-multihead --quiet --threads 2 --jobs 2 --config " + config.string() + " --out " +
                             local.string());
  INFO(whole.output);
  REQUIRE(whole.code == 0);

  // The submission's preparation (--dry-run): fixed base, the scripts of three stages.
  const std::string app = "attn-multihead --quiet --threads 1 --config " + config.string() + " --out " + units.string();
  const auto dry = run_app(app + " --launcher slurm --dry-run --jobs 2");
  INFO(dry.output);
  REQUIRE(dry.code == 0);
  CHECK_THAT(dry.output, Catch::Contains("--screening-worker 1") && !Catch::Contains("--screening-worker 2") &&
                             Catch::Contains("#SBATCH --array=0-5") && Catch::Contains("--only-trial random:1") &&
                             Catch::Contains("--summarize"));
  for (const char* script : {"screening.sbatch", "trials.sbatch", "summary.sbatch"})
    CHECK(fs::exists(units / "slurm" / script));

  // Two screening workers at once, as two array tasks would run.
  const std::string bin = std::string(ATTN_BINARY_DIR) + "/bin/";
  const std::string both = bin + app + " --screening-worker 0 > " + (tmp / "w0.log").string() + " 2>&1 & " + bin +
                           app + " --screening-worker 1 > " + (tmp / "w1.log").string() + " 2>&1; wait";
  REQUIRE(run_shell(both).code == 0);
  INFO(read_file(tmp / "w0.log") + read_file(tmp / "w1.log"));
  for (const char* trial : {"bad:0", "bad+good:0", "random:0", "bad:1", "bad+good:1", "random:1"}) {
    INFO(trial);
    const auto one = run_app(app + " --only-trial " + trial);
    INFO(one.output);
    REQUIRE(one.code == 0);
  }
  const auto summary = run_app(app + " --summarize");
  INFO(summary.output);
  REQUIRE(summary.code == 0);
  CHECK(read_file(units / "screening" / "kept.csv") == read_file(local / "screening" / "kept.csv"));
  CHECK(read_file(units / "trials.csv") == read_file(local / "trials.csv"));
  CHECK(read_file(units / "trial_heads.csv") == read_file(local / "trial_heads.csv"));
  const auto bad = run_app(app + " --only-trial bad:2");
  CHECK(bad.code == 2);
  CHECK_THAT(attn_test::last_line(bad.output), Catch::Contains("--only-trial: expected an index from 0 to 1, got 2"));
}
