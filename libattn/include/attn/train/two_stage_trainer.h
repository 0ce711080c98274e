// The two-stage trainer (PAPER.md 2): attention uniform for the first K
// optimiser steps, learned after. K = 0 is normal training; K >= steps is the
// paper's uniform model. The loop, in a fixed order at every step s:
//   1. evaluate (every eval_every steps and at the end) and log the row;
//   2. checkpoint (every checkpoint_every steps and at the end) and keep
//      weight snapshots at the requested steps;
//   3. stop at `steps` (or where stop_when says); switch to stage 2 when s == K;
//   4. forward, backward, Adam step.
// A run resumed from its last checkpoint replays exactly: the task's batches
// are functions of the step, and the checkpoint holds the optimiser state.
#pragma once

#include <torch/arg.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "attn/train/fused_adam.h"
#include "attn/train/metric_row.h"
#include "attn/train/training_task.h"

namespace attn::train {

struct TrainerOptions {
  /// Total optimiser steps.
  TORCH_ARG(int64_t, steps) = 200;
  /// K: steps trained with uniform attention before attention is learned.
  TORCH_ARG(int64_t, uniform_steps) = 0;
  /// Adam learning rate (other Adam settings are PyTorch's defaults).
  TORCH_ARG(double, learning_rate) = 1e-3;
  /// Evaluate every this many steps (and at step 0 and the last step).
  TORCH_ARG(int64_t, eval_every) = 10;
  /// Write the resumable checkpoint every this many steps (0 = only at the end).
  TORCH_ARG(int64_t, checkpoint_every) = 50;
  /// Keep the weights at these steps as snapshots/step_<N>.pt (for probes).
  TORCH_ARG(std::vector<int64_t>, snapshot_steps) = {};
  /// Prefix of the progress lines (e.g. "permutation40 seed 3").
  TORCH_ARG(std::string, label) = "";
  /// Print a progress line at every evaluation.
  TORCH_ARG(bool, progress) = true;
  /// Optional: end the run after the first evaluation whose row satisfies
  /// this (e.g. head screening stops once accuracy passes its threshold).
  /// The run is checkpointed there, and a resumed run stops there too.
  TORCH_ARG(std::function<bool(const MetricRow&)>, stop_when) = nullptr;
  /// Optional: called once the run folder is locked and the checkpoint (if
  /// any) has loaded, before training (the recorded run writes run.json
  /// here, so that a resume that fails to load leaves it as it was).
  TORCH_ARG(std::function<void()>, on_started) = nullptr;
};

struct TrainingResult {
  std::vector<MetricRow> history;  ///< one row per evaluation
  int64_t resumed_from = -1;       ///< step of the checkpoint resumed from, -1 if fresh
  double seconds = 0;              ///< wall time of this invocation
};

/// The optimiser every run uses: Adam at `options.learning_rate()`, PyTorch's
/// other defaults (one pass per parameter: fused_adam.h).
FusedAdam make_optimizer(torch::nn::Module& model, const TrainerOptions& options);

/// Writes `history` as <dir>/metrics.csv and metrics.jsonl (atomically).
void write_metric_files(const std::filesystem::path& dir, const std::vector<MetricRow>& history);

/// One update (phase 4 of the loop): clear the gradients (FusedAdam: to
/// none; any other optimiser: zero_grad()), the task's loss on
/// the batch of `step`, backward, optimiser step. Returns the loss (not
/// synchronised: call .item() when the value is needed). Benchmarks time
/// exactly this.
torch::Tensor training_step(TrainingTask& task, torch::optim::Optimizer& optimizer, int64_t step);

class TwoStageTrainer {
 public:
  /// Files go to `run_dir`: checkpoint.pt, metrics.csv, metrics.jsonl, snapshots/.
  TwoStageTrainer(TrainingTask& task, TrainerOptions options, std::filesystem::path run_dir);

  /// Trains to `steps`. With `resume`, continues from run_dir/checkpoint.pt
  /// when it exists (a finished run returns its history without training).
  /// Holds the run folder's lock (io/run_lock.h) throughout and removes
  /// temporary files a killed writer left there. A non-finite training loss
  /// throws attn::Error naming the folder and step, before anything of that
  /// step is saved. SIGTERM/SIGINT (core/interrupt.h): checkpoints the exact
  /// state at the next step boundary and throws attn::Interrupted. The
  /// `seconds` column counts wall time over all invocations.
  TrainingResult run(bool resume);

  /// Stage in force for the update made at `step`.
  Stage stage_at(int64_t step) const { return step < options_.uniform_steps() ? Stage::kUniform : Stage::kLearned; }

  std::filesystem::path checkpoint_path() const { return run_dir_ / "checkpoint.pt"; }

 private:
  void write_metrics(const std::vector<MetricRow>& history) const;
  void print_progress(const MetricRow& row, int64_t step, int64_t first_step, double elapsed) const;

  TrainingTask& task_;
  TrainerOptions options_;
  std::filesystem::path run_dir_;
};

}  // namespace attn::train
