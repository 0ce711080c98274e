// The last stage the run-set apps share (attn-classify, attn-translate): the
// unfinished runs of a prepared run set trained here, in worker processes or
// in this one (--jobs), or submitted to Slurm as one array task per run
// followed by the cost summary (--launcher slurm); then the closing lines
// and the set's cost.md.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "attn/cli/command_line.h"

namespace attn::cli {

struct PendingRuns {
  std::string set_name;                     ///< the config's name, for the closing line
  size_t set_size = 0;                      ///< runs of the set, finished ones included
  std::vector<std::string> names;           ///< the unfinished runs: "A", ..., "uniform"
  std::vector<std::filesystem::path> dirs;  ///< and their folders
  /// Trains unfinished run k in this process (a worker process calls the app
  /// with --worker-run <name>, which does the same).
  std::function<void(size_t k, const train::RunContext& context)> train;
  /// Writes <out>/cost.md once every run has ended.
  std::function<void()> write_cost;
};

/// The unfinished runs of `runs` (anything with a `name` and a `dir`: the
/// classification and translation runs), `train_one(run, context)` training one.
template <typename Run, typename Finished, typename Train>
PendingRuns pending_runs(std::string set_name, const std::vector<Run>& runs, Finished finished, Train train_one) {
  PendingRuns pending;
  pending.set_name = std::move(set_name);
  pending.set_size = runs.size();
  std::vector<Run> unfinished;
  for (const auto& run : runs)
    if (!finished(run)) {
      unfinished.push_back(run);
      pending.names.push_back(run.name);
      pending.dirs.push_back(run.dir);
    }
  pending.train = [unfinished, train_one](size_t k, const train::RunContext& context) {
    train_one(unfinished[k], context);
  };
  return pending;
}

/// Trains (or submits) `runs` of the set in `out_dir`; `total_threads` is
/// configure_threads(--threads), which the app checks before it writes
/// anything. Returns the app's exit code.
int launch_pending_runs(const CommonOptions& common, const std::string& program, const std::filesystem::path& out_dir,
                        const PendingRuns& runs, int total_threads);

}  // namespace attn::cli
