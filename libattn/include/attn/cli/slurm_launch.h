// What the training apps share when `--launcher slurm` is given: the stages of
// a submission built from their public single-unit flags, each task getting
// the shared flags its submitter was given (--device, --threads, --quiet,
// --set), and the submission itself (attn/io/slurm.h).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "attn/cli/command_line.h"
#include "attn/io/slurm.h"

namespace attn::cli {

/// The threads of each task: --threads, or 1 when it is 0 (automatic: on a
/// cluster the allocation, not the submitting machine, decides the CPUs).
int slurm_task_threads(const CommonOptions& common);

/// A job array with one task per unit: `unit_arguments(k)` (the app's
/// single-unit flags) followed by the shared flags; `--cpus-per-task` from --threads.
io::SlurmStage slurm_unit_stage(const CommonOptions& common, std::string name, size_t units,
                                const std::function<std::vector<std::string>(size_t k)>& unit_arguments);

/// The single job that writes the summary of the set: `arguments` (e.g.
/// {"--summarize", "--out", DIR}) followed by the shared flags.
io::SlurmStage slurm_summary_stage(const CommonOptions& common, std::vector<std::string> arguments);

/// Submits `stages` (or prints them with --dry-run) for the run folder `out`
/// (made absolute) and prints what the user does next. Returns the app's exit code (0).
int submit_run_set(const CommonOptions& common, const std::string& program, const std::filesystem::path& out,
                   std::vector<io::SlurmStage> stages);

}  // namespace attn::cli
