// The two-stage training loop (see attn/train/two_stage_trainer.h).
#include "attn/train/two_stage_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "attn/core/error.h"
#include "attn/core/interrupt.h"
#include "attn/io/checkpoint.h"
#include "attn/io/files.h"
#include "attn/io/run_lock.h"
#include "attn/train/training_checkpoint.h"
#include "core/stopwatch.h"

namespace attn::train {

namespace fs = std::filesystem;

TwoStageTrainer::TwoStageTrainer(TrainingTask& task, TrainerOptions options, fs::path run_dir)
    : task_(task), options_(std::move(options)), run_dir_(std::move(run_dir)) {
  check(options_.steps() >= 0, "train.steps: expected >= 0, got {}", options_.steps());
  check(options_.uniform_steps() >= 0, "train.uniform_steps: expected >= 0, got {}", options_.uniform_steps());
  check(options_.eval_every() >= 1, "train.eval_every: expected >= 1, got {}", options_.eval_every());
  check(options_.checkpoint_every() >= 0, "train.checkpoint_every: expected >= 0, got {}",
        options_.checkpoint_every());
  check(options_.learning_rate() > 0, "train.learning_rate: expected > 0, got {}", options_.learning_rate());
}

FusedAdam make_optimizer(torch::nn::Module& model, const TrainerOptions& options) {
  return FusedAdam(model.parameters(), torch::optim::AdamOptions(options.learning_rate()));
}

torch::Tensor training_step(TrainingTask& task, torch::optim::Optimizer& optimizer, int64_t step) {
  if (auto* fused = dynamic_cast<FusedAdam*>(&optimizer))
    fused->clear_gradients();
  else
    optimizer.zero_grad();
  torch::Tensor loss = task.training_loss(step);
  loss.backward();
  optimizer.step();
  return loss;
}

void write_metric_files(const fs::path& dir, const std::vector<MetricRow>& history) {
  io::write_file_atomic(dir / "metrics.csv", MetricRow::csv(history));
  io::write_file_atomic(dir / "metrics.jsonl", MetricRow::jsonl(history));
}

void TwoStageTrainer::write_metrics(const std::vector<MetricRow>& history) const {
  write_metric_files(run_dir_, history);
}

void TwoStageTrainer::print_progress(const MetricRow& row, int64_t step, int64_t first_step,
                                     double elapsed) const {
  if (!options_.progress()) return;
  std::string metrics;
  for (const auto& name : task_.progress_metrics())
    if (row.has(name)) metrics += fmt::format(" {} {:.3f}", name, row.get(name));
  const int64_t done = step - first_step;
  const double rate = done > 0 && elapsed > 0 ? done / elapsed : 0.0;
  // Before the first training step there is neither a loss nor a rate.
  // "-" only before the first training step; a diverged loss never reaches a row.
  const std::string loss = row.get("step") == 0 ? "-" : fmt::format("{:.4f}", row.get("train_loss"));
  const std::string left = rate > 0 ? fmt::format("~{:.0f}s left", (options_.steps() - step) / rate) : "time left unknown";
  fmt::print(stderr, "{}step {:>4}/{} stage {} loss {}{} | {:.2f} step/s, {:.0f}s elapsed, {}\n",
             options_.label().empty() ? "" : "[" + options_.label() + "] ", step, options_.steps(),
             static_cast<int>(row.get("stage")), loss, metrics, rate, elapsed, left);
}

TrainingResult TwoStageTrainer::run(bool resume) {
  install_interrupt_handlers();  // polled between steps below
  const auto start_time = std::chrono::steady_clock::now();
  // Wall time of this invocation; `seconds_before` adds the earlier ones.
  auto elapsed = [&] {
    return seconds_since(start_time);
  };
  io::RunLock lock(run_dir_);  // one process per run folder
  // Under the lock no live writer owns a temporary file here: any is a
  // leftover of a killed one.
  io::remove_stale_temporaries(run_dir_);
  if (fs::exists(run_dir_ / "snapshots")) io::remove_stale_temporaries(run_dir_ / "snapshots");
  torch::nn::Module& model = task_.model();
  FusedAdam optimizer = make_optimizer(model, options_);

  TrainingResult result;
  int64_t step = 0;
  double seconds_before = 0, loss_sum = 0;
  int64_t loss_count = 0;
  if (resume && fs::exists(checkpoint_path())) {
    auto state = load_checkpoint(checkpoint_path(), model, &optimizer);
    step = state.step;
    result.history = std::move(state.history);
    result.resumed_from = step;
    seconds_before = state.seconds;
    loss_sum = state.loss_sum;
    loss_count = state.loss_count;
    // The checkpoint holds the history: a deleted metrics file comes back.
    if (!fs::exists(run_dir_ / "metrics.csv") || !fs::exists(run_dir_ / "metrics.jsonl"))
      write_metrics(result.history);
  }
  if (options_.on_started()) options_.on_started()();
  const int64_t first_step = step;
  int64_t checkpointed = result.resumed_from;  // step of the checkpoint on disk, -1 if none
  // Reading a loss waits for its step to finish: free on a CPU, a stall of
  // the whole queue on a GPU. There the losses are summed on the device and
  // read (and checked) only where a row, a checkpoint or a snapshot needs them.
  const bool read_each_loss = io::module_device(model).is_cpu();
  torch::Tensor unread_losses;  // sum of the losses not read yet (device, double)
  int64_t first_unread = step;
  // Divergence: the update just made is already poisoned, so nothing of this
  // state is saved; the last checkpoint stays the run's last good one.
  auto add_loss = [&](double value, int64_t from, int64_t to) {
    check(std::isfinite(value), "{}: training diverged {} step {}: the loss is {} ({}; lower train.learning_rate?)",
          run_dir_.string(), from == to ? "at" : fmt::format("between step {} and", from), to, value,
          checkpointed >= 0 ? fmt::format("the checkpoint of step {} is kept", checkpointed)
                            : std::string("no checkpoint yet"));
    loss_sum += value;
  };
  auto read_losses = [&] {
    if (!unread_losses.defined()) return;
    add_loss(unread_losses.item<double>(), first_unread, step - 1);
    unread_losses = torch::Tensor();
  };
  Stage stage = stage_at(step);
  task_.begin_stage(stage);
  auto state_at = [&](int64_t at) {
    return TrainingState{at, stage, result.history, seconds_before + elapsed(), loss_sum, loss_count};
  };

  const auto& snapshots = options_.snapshot_steps();
  while (true) {
    const bool logged = !result.history.empty() &&
                        static_cast<int64_t>(result.history.back().get("step")) == step;
    // A resumed run finds its stopping row already logged.
    bool stopping = logged && options_.stop_when() && options_.stop_when()(result.history.back());
    // 1. evaluate
    const bool snapshot = !logged && std::find(snapshots.begin(), snapshots.end(), step) != snapshots.end();
    if (!logged && (step % options_.eval_every() == 0 || step == options_.steps())) {
      read_losses();
      model.eval();
      MetricRow row;
      row.set("step", static_cast<double>(step));
      row.set("stage", stage_number(stage));
      row.set("train_loss", loss_count > 0 ? loss_sum / loss_count : std::nan(""));
      for (const auto& kv : task_.evaluate(step).values) row.set(kv.first, kv.second);
      row.set("seconds", seconds_before + elapsed());
      model.train();
      loss_sum = 0;
      loss_count = 0;
      result.history.push_back(row);
      write_metrics(result.history);
      print_progress(row, step, first_step, elapsed());
      // 2. checkpoint (right after an evaluation, so the running loss is empty)
      const bool periodic = options_.checkpoint_every() > 0 && step % options_.checkpoint_every() == 0;
      stopping = options_.stop_when() && options_.stop_when()(row);
      if ((periodic || stopping || step == options_.steps()) && step != first_step) {
        save_checkpoint(checkpoint_path(), model, &optimizer, state_at(step));
        checkpointed = step;
      }
    }
    if (snapshot) {
      read_losses();
      io::save_weights(run_dir_ / "snapshots" / fmt::format("step_{}.pt", step), model);
    }
    // 3. stop / switch stage
    if (step >= options_.steps() || stopping) break;
    // A signal: save everything (the running loss too) and stop here; a
    // resumed run continues from this very step as if never stopped.
    if (const int signal = interrupt_signal()) {
      read_losses();
      save_checkpoint(checkpoint_path(), model, &optimizer, state_at(step));
      throw Interrupted(fmt::format("{}: stopped by {} at step {} of {}, checkpoint saved", run_dir_.string(),
                                    signal_name(signal), step, options_.steps()));
    }
    if (stage_at(step) != stage) {
      stage = stage_at(step);
      task_.begin_stage(stage);
    }
    // 4. forward, backward, update
    torch::Tensor loss = training_step(task_, optimizer, step);
    if (read_each_loss) {
      add_loss(loss.item<double>(), step, step);
    } else {
      auto value = loss.detach().to(torch::kDouble);
      if (!unread_losses.defined()) first_unread = step;
      unread_losses = unread_losses.defined() ? unread_losses + value : value;
    }
    ++loss_count;
    ++step;
  }
  result.seconds = elapsed();
  return result;
}

}  // namespace attn::train
