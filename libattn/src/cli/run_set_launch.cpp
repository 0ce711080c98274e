// Launching a run set's unfinished runs (see attn/cli/run_set_launch.h).
#include "attn/cli/run_set_launch.h"

#include <fmt/format.h>

#include <chrono>

#include "attn/cli/slurm_launch.h"
#include "attn/core/runtime.h"
#include "attn/io/jobs.h"
#include "core/stopwatch.h"

namespace attn::cli {

namespace fs = std::filesystem;

int launch_pending_runs(const CommonOptions& common, const std::string& program, const fs::path& out_dir,
                        const PendingRuns& runs, int total_threads) {
  const size_t pending = runs.names.size();
  if (common.slurm) {
    const fs::path out = fs::absolute(out_dir);
    return submit_run_set(common, program, out,
                          {slurm_unit_stage(common, "runs", pending,
                                            [&](size_t k) {
                                              return std::vector<std::string>{"--out", out.string(), "--only-run",
                                                                              runs.names[k]};
                                            }),
                           slurm_summary_stage(common, {"--out", out.string(), "--summarize"})});
  }
  const auto start = std::chrono::steady_clock::now();
  const auto plan = io::plan_jobs(common.device.is_cuda(), total_threads, common.jobs, pending);
  fmt::print(stderr, "[{}] {} runs to train ({} done) on {}, {} -> {}\n", program, pending, runs.set_size - pending,
             describe_device(common.device, total_threads), io::describe(plan), out_dir.string());

  io::JobSet jobs;
  jobs.units = pending;
  jobs.in_process = [&](size_t k) { runs.train(k, common.run_context(plan.threads_per_job)); };
  jobs.worker_arguments = [&](size_t k) {
    std::vector<std::string> args = {"--worker-run", runs.names[k], "--out", out_dir.string()};
    for (auto& flag : common.worker_flags(plan.threads_per_job)) args.push_back(std::move(flag));
    return args;
  };
  jobs.name = [&](size_t k) { return runs.dirs[k].string(); };
  io::run_jobs(jobs, plan, program);

  const double seconds = seconds_since(start);
  fmt::print("{}: {} runs finished in {:.0f} s -> {} (next: attn-analyze --runs {})\n", runs.set_name, runs.set_size,
             seconds, out_dir.string(), out_dir.string());
  runs.write_cost();
  fmt::print("cost (compute and active wall time over every invocation): {}\n", (out_dir / "cost.md").string());
  return 0;
}

}  // namespace attn::cli
