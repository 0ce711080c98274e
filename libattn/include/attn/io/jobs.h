// How an app spreads independent units of work (runs, screening workers) over
// the machine: the plan (how many at once, how many threads each) and the
// dispatch (in this process one after another, or as worker processes of this
// program, attn/io/process_pool.h). On a 2-core CPU two 1-thread processes
// beat one 2-thread process for these small matrices; on CUDA one process
// holds the device.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace attn::io {

struct JobPlan {
  int jobs = 1;             ///< units at once
  int threads_per_job = 1;  ///< intra-op threads of each
};

/// `requested` jobs (0 = one per thread on CPU, 1 on CUDA), never more than
/// `units` when `units` > 0; the threads are shared out evenly.
JobPlan plan_jobs(bool cuda, int total_threads, int requested, size_t units = 0);

/// "2 at a time x 1 thread(s)".
std::string describe(const JobPlan& plan);

struct JobSet {
  size_t units = 0;
  /// Runs unit k in this process (plan.jobs == 1).
  std::function<void(size_t k)> in_process;
  /// The arguments of the worker process that runs unit k (plan.jobs > 1).
  std::function<std::vector<std::string>(size_t k)> worker_arguments;
  /// Names unit k in the error when its worker fails (e.g. its run folder).
  std::function<std::string(size_t k)> name;
  /// Optional: called as each unit ends (progress lines).
  std::function<void(size_t k)> after_each;
};

/// Runs every unit of `set` as `plan` says; with one job, in this process at
/// plan.threads_per_job threads. Throws attn::Error "<name>: worker failed
/// (exit N); rerun with --resume to continue" after all workers have ended
/// when one failed.
void run_jobs(const JobSet& set, const JobPlan& plan, const std::string& program);

}  // namespace attn::io
