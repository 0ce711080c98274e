// Job planning and dispatch (see attn/io/jobs.h).
#include "attn/io/jobs.h"

#include <fmt/format.h>

#include <algorithm>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/process_pool.h"

namespace attn::io {

JobPlan plan_jobs(bool cuda, int total_threads, int requested, size_t units) {
  check(requested >= 0, "--jobs: expected 0 (auto) or a positive count, got {}", requested);
  JobPlan plan;
  plan.jobs = requested > 0 ? requested : (cuda ? 1 : std::max(1, total_threads));
  if (units > 0) plan.jobs = std::min<int>(plan.jobs, static_cast<int>(std::min<size_t>(units, 1 << 20)));
  plan.jobs = std::max(1, plan.jobs);
  plan.threads_per_job = std::max(1, total_threads / plan.jobs);
  return plan;
}

std::string describe(const JobPlan& plan) {
  return fmt::format("{} at a time x {} thread(s)", plan.jobs, plan.threads_per_job);
}

void run_jobs(const JobSet& set, const JobPlan& plan, const std::string& program) {
  if (set.units == 0) return;
  if (plan.jobs == 1) {
    configure_threads(plan.threads_per_job);
    for (size_t k = 0; k < set.units; ++k) {
      set.in_process(k);
      if (set.after_each) set.after_each(k);
    }
    return;
  }
  std::vector<std::vector<std::string>> arguments;
  for (size_t k = 0; k < set.units; ++k) arguments.push_back(set.worker_arguments(k));
  const auto codes = run_self_in_parallel(arguments, plan.jobs, program, [&](size_t k, int) {
    if (set.after_each) set.after_each(k);
  });
  // Exit code 2 is a worker's own error (bad config, corrupt checkpoint, full
  // disk), printed above: resuming repeats it. A worker killed or crashed
  // (any other code) left checkpoints that --resume continues from.
  for (size_t k = 0; k < codes.size(); ++k)
    check(codes[k] == 0, "{}: worker failed (exit {}); {}", set.name(k), codes[k],
          codes[k] == 2 ? "see its error above; --resume will not help until that is fixed"
                        : "rerun with --resume to continue");
}

}  // namespace attn::io
