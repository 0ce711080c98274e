// Copy-task runs trained as one batched model (issue 17 point 4): the
// batched loss over copy tasks (nn/batched_copy_models.h on each run's own
// batch, train/batched_trainer.h for everything per run), and the copy
// experiment's seeds trained that way. Used by attn-copy --batch-runs and by
// the multi-head study (MultiheadCopyTask is a CopyTask).
#pragma once

#include <filesystem>
#include <vector>

#include "attn/tasks/copy_experiment.h"
#include "attn/tasks/copy_task.h"
#include "attn/train/batched_trainer.h"
#include "attn/train/recorded_run.h"

namespace attn::tasks {

/// The loss of `tasks` trained together: member i is tasks[i]; each draws
/// its own batch (CopyTask::training_batch at its own step), the forward is
/// batched over the members whose batches have one shape (runs in
/// different stages of a curriculum may not), and each gets its own mean NLL.
train::BatchedLoss batched_copy_loss(std::vector<CopyTask*> tasks);

/// run_copy_seed (copy_experiment.h) for several seeds of `config`, trained
/// as one batched model into dirs[i]; the folders are those of separate runs.
std::vector<train::TrainingResult> run_copy_seeds_batched(const CopyExperimentConfig& config,
                                                          const std::vector<int64_t>& seeds,
                                                          const std::vector<std::filesystem::path>& dirs,
                                                          const train::RunContext& context, bool resume);

/// `runs` in sets of at most `batch_runs` (>= 1; attn::Error naming
/// --batch-runs otherwise) runs of one config, config by config: the units
/// attn-copy trains, each in one process.
std::vector<std::vector<CopySeedRun>> batch_copy_runs(const std::vector<CopySeedRun>& runs, int64_t batch_runs);

/// --batch-runs's default: 1 on CPU (worker processes are at least as fast
/// there, docs/batched-runs.md), every pending run up to kMaxBatchRuns on CUDA.
int64_t default_batch_runs(bool cuda, size_t pending);

/// The most runs batched by default on a GPU. A paper copy config has 20
/// seeds (runs of different configs are never batched together: their
/// vocabularies, so their model shapes, differ); 640 screened heads and 150
/// trials go 40 at a time.
inline constexpr int64_t kMaxBatchRuns = 40;

}  // namespace attn::tasks
