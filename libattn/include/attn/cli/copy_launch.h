// attn-copy's launching: the unfinished seeds of one or more copy configs
// trained here, in units of at most --batch-runs seeds of one config (one
// seed per unit by default on CPU; a unit of several is one batched model),
// in worker processes or in this one (--jobs), or submitted to Slurm as one
// array task per seed followed by the summary (--launcher slurm); then the
// summary and figure of the set.
//
// A worker process is attn-copy called with the config's config.yaml and
//   --worker-seed N  --out <config folder>/seed_NN        (one seed), or
//   --worker-seeds N,M,...  --out <config folder>         (a batched unit).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "attn/cli/command_line.h"
#include "attn/tasks/copy_experiment.h"

namespace attn::cli {

/// Trains (or submits) the unfinished runs of `configs` in `out_dir`, whose
/// folders the caller has not prepared yet; `batch_runs` is --batch-runs
/// (unset: tasks::default_batch_runs) and `total_threads` is
/// configure_threads(--threads). Writes the summary when every run is done.
/// Returns the app's exit code.
int launch_copy_runs(const CommonOptions& common, const std::vector<tasks::CopyExperimentConfig>& configs,
                     const std::filesystem::path& out_dir, std::optional<int64_t> batch_runs, int total_threads);

/// What a worker process trains: the seeds of a --worker-seeds list
/// ("3,4,5"); attn::Error naming `flag` when an entry is not a non-negative
/// integer or the list is empty.
std::vector<int64_t> parse_seed_list(const std::string& text, const std::string& flag);

}  // namespace attn::cli
