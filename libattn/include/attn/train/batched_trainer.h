// Many runs trained as one batched model (issue 17 point 4): R independent
// runs (seeds, or screened heads on a shared base) step in lockstep through
// one batched forward/backward, while everything else stays per run, so that
// each run's folder is the one it would have had alone.
//
// Per run, exactly as train/two_stage_trainer.h does it for one: its task
// (data stream, model, evaluation), its FusedAdam state, stage schedule,
// evaluations, metrics.csv / metrics.jsonl, checkpoint.pt (today's format:
// train/training_checkpoint.h), snapshots, stop_when, run.json and done
// marker (train/recorded_run.h). Shared: the update of phase 4, where a
// BatchedLoss returns each run's mean loss from one batched forward; the
// backward of their sum gives each run exactly its own gradient (runs share
// no parameters), then each run's optimiser steps. Nothing norm-based spans
// runs (there is no gradient clipping; Adam is elementwise per parameter).
//
// Runs may be at different steps (a resumed set) or stop at different times
// (stop_when): each run's batch is a function of its own step, and runs that
// have stopped leave the batch. A run whose loss is not finite stops there,
// keeps its last checkpoint, and its error is thrown once the others end,
// as a failed worker process is. A signal checkpoints every run still
// training and throws attn::Interrupted. Each run's "seconds" is the
// wall time of the set (runs share it). A batched run folder resumes alone
// or batched alike.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attn/train/recorded_run.h"
#include "attn/train/training_task.h"
#include "attn/train/two_stage_trainer.h"

namespace attn::train {

/// Each listed run's mean training loss on its batch at its step, from one
/// batched forward: `members` index the set's runs, `steps` their steps.
/// Returns (members.size()) losses.
using BatchedLoss =
    std::function<torch::Tensor(const std::vector<size_t>& members, const std::vector<int64_t>& steps)>;

/// One run of a batched set, as TwoStageTrainer takes it.
struct BatchedMember {
  TrainingTask* task = nullptr;
  TrainerOptions options;
  std::filesystem::path dir;
};

/// Trains every member to its `steps` (resuming each from its checkpoint
/// when `resume`), as TwoStageTrainer::run would train each alone. Returns
/// one result per member. A member that diverged gets its error message in
/// (*failures)[i] (empty for the others) when `failures` is given; without
/// it the first such error is thrown once every member has ended.
std::vector<TrainingResult> train_batched(const std::vector<BatchedMember>& members, const BatchedLoss& loss,
                                          bool resume, std::vector<std::string>* failures = nullptr);

/// The tasks of the runs still to train, and the batched loss over them
/// (member i = tasks[i]).
struct BatchedTasks {
  std::vector<std::unique_ptr<TrainingTask>> tasks;
  BatchedLoss loss;
};

/// run_recorded (recorded_run.h) for a set of runs trained batched: each
/// folder is checked, locked and recorded as there; runs already done are
/// read back; `make_tasks` is called once with the indices (into `runs`) of
/// those left to train, when any are. Runs that finish get their done
/// marker even when another run of the set diverged (whose error is then
/// thrown). Returns one result per run.
std::vector<TrainingResult> run_recorded_batched(
    const std::vector<RecordedRun>& runs, const RunContext& context,
    const std::function<BatchedTasks(const std::vector<size_t>& pending)>& make_tasks);

/// Splits `count` runs into consecutive sets of at most `batch_runs` (>= 1).
std::vector<std::vector<size_t>> batch_sets(size_t count, int64_t batch_runs);

}  // namespace attn::train
