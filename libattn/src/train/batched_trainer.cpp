// Runs trained as one batched model (see attn/train/batched_trainer.h). Each
// run goes through the phases of TwoStageTrainer::run in the same order;
// only phase 4 (forward, backward) is shared.
#include "attn/train/batched_trainer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

#include "attn/core/error.h"
#include "attn/core/interrupt.h"
#include "attn/io/checkpoint.h"
#include "attn/io/files.h"
#include "attn/io/run_lock.h"
#include "attn/io/run_record.h"
#include "attn/train/training_checkpoint.h"
#include "core/stopwatch.h"

namespace attn::train {

namespace fs = std::filesystem;

namespace {

// What TwoStageTrainer::run keeps in local variables, per run.
struct RunState {
  const BatchedMember* member = nullptr;
  std::unique_ptr<io::RunLock> lock;
  std::unique_ptr<FusedAdam> optimizer;
  TrainingResult result;
  int64_t step = 0, first_step = 0, checkpointed = -1, loss_count = 0;
  double seconds_before = 0, loss_sum = 0;
  Stage stage = Stage::kUniform;
  bool training = true;  // false once stopped, finished or diverged
  std::optional<std::string> error;

  TrainingTask& task() const { return *member->task; }
  const TrainerOptions& options() const { return member->options; }
  fs::path checkpoint_path() const { return member->dir / "checkpoint.pt"; }
  Stage stage_at(int64_t at) const { return at < options().uniform_steps() ? Stage::kUniform : Stage::kLearned; }
};

// The progress line of TwoStageTrainer (same wording).
void print_progress(const RunState& run, const MetricRow& row, double elapsed) {
  const auto& options = run.options();
  if (!options.progress()) return;
  std::string metrics;
  for (const auto& name : run.task().progress_metrics())
    if (row.has(name)) metrics += fmt::format(" {} {:.3f}", name, row.get(name));
  const int64_t done = run.step - run.first_step;
  const double rate = done > 0 && elapsed > 0 ? done / elapsed : 0.0;
  const std::string loss = row.get("step") == 0 ? "-" : fmt::format("{:.4f}", row.get("train_loss"));
  const std::string left =
      rate > 0 ? fmt::format("~{:.0f}s left", (options.steps() - run.step) / rate) : "time left unknown";
  fmt::print(stderr, "{}step {:>4}/{} stage {} loss {}{} | {:.2f} step/s, {:.0f}s elapsed, {}\n",
             options.label().empty() ? "" : "[" + options.label() + "] ", run.step, options.steps(),
             static_cast<int>(row.get("stage")), loss, metrics, rate, elapsed, left);
}

}  // namespace

std::vector<std::vector<size_t>> batch_sets(size_t count, int64_t batch_runs) {
  check(batch_runs >= 1, "--batch-runs: expected at least 1 run per batch, got {}", batch_runs);
  std::vector<std::vector<size_t>> sets;
  for (size_t i = 0; i < count; ++i) {
    if (i % static_cast<size_t>(batch_runs) == 0) sets.emplace_back();
    sets.back().push_back(i);
  }
  return sets;
}

std::vector<TrainingResult> train_batched(const std::vector<BatchedMember>& members, const BatchedLoss& loss,
                                          bool resume, std::vector<std::string>* failures) {
  install_interrupt_handlers();  // polled between steps below
  const auto start_time = std::chrono::steady_clock::now();
  auto elapsed = [&] { return seconds_since(start_time); };
  std::vector<RunState> runs(members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    auto& run = runs[i];
    run.member = &members[i];
    check(run.member->task != nullptr, "train_batched: run {} has no task", i);
    TwoStageTrainer(run.task(), run.options(), run.member->dir);  // checks the options, as alone
    run.lock = std::make_unique<io::RunLock>(run.member->dir);
    io::remove_stale_temporaries(run.member->dir);
    if (fs::exists(run.member->dir / "snapshots")) io::remove_stale_temporaries(run.member->dir / "snapshots");
    run.optimizer = std::make_unique<FusedAdam>(make_optimizer(run.task().model(), run.options()));
    if (resume && fs::exists(run.checkpoint_path())) {
      auto state = load_checkpoint(run.checkpoint_path(), run.task().model(), run.optimizer.get());
      run.step = state.step;
      run.result.history = std::move(state.history);
      run.result.resumed_from = run.step;
      run.seconds_before = state.seconds;
      run.loss_sum = state.loss_sum;
      run.loss_count = state.loss_count;
      if (!fs::exists(run.member->dir / "metrics.csv") || !fs::exists(run.member->dir / "metrics.jsonl"))
        write_metric_files(run.member->dir, run.result.history);
    }
  }
  for (auto& run : runs) {
    if (run.options().on_started()) run.options().on_started()();
    run.first_step = run.step;
    run.checkpointed = run.result.resumed_from;
    run.stage = run.stage_at(run.step);
    run.task().begin_stage(run.stage);
  }
  auto state_at = [&](const RunState& run) {
    return TrainingState{run.step, run.stage, run.result.history, run.seconds_before + elapsed(), run.loss_sum,
                         run.loss_count};
  };

  while (true) {
    // Phases 1-3 of TwoStageTrainer::run, run by run.
    for (auto& run : runs) {
      if (!run.training) continue;
      const auto& options = run.options();
      auto& model = run.task().model();
      auto& history = run.result.history;
      const bool logged = !history.empty() && static_cast<int64_t>(history.back().get("step")) == run.step;
      bool stopping = logged && options.stop_when() && options.stop_when()(history.back());
      if (!logged && (run.step % options.eval_every() == 0 || run.step == options.steps())) {
        model.eval();
        MetricRow row;
        row.set("step", static_cast<double>(run.step));
        row.set("stage", stage_number(run.stage));
        row.set("train_loss", run.loss_count > 0 ? run.loss_sum / run.loss_count : std::nan(""));
        for (const auto& kv : run.task().evaluate(run.step).values) row.set(kv.first, kv.second);
        row.set("seconds", run.seconds_before + elapsed());
        model.train();
        run.loss_sum = 0;
        run.loss_count = 0;
        history.push_back(row);
        write_metric_files(run.member->dir, history);
        print_progress(run, row, elapsed());
        const bool periodic = options.checkpoint_every() > 0 && run.step % options.checkpoint_every() == 0;
        stopping = options.stop_when() && options.stop_when()(row);
        if ((periodic || stopping || run.step == options.steps()) && run.step != run.first_step) {
          save_checkpoint(run.checkpoint_path(), model, run.optimizer.get(), state_at(run));
          run.checkpointed = run.step;
        }
      }
      const auto& snapshots = options.snapshot_steps();
      if (!logged && std::find(snapshots.begin(), snapshots.end(), run.step) != snapshots.end())
        io::save_weights(run.member->dir / "snapshots" / fmt::format("step_{}.pt", run.step), model);
      if (run.step >= options.steps() || stopping) {
        run.training = false;
        run.result.seconds = elapsed();
      }
    }
    std::vector<size_t> active;
    std::vector<int64_t> steps;
    for (size_t i = 0; i < runs.size(); ++i)
      if (runs[i].training) {
        active.push_back(i);
        steps.push_back(runs[i].step);
      }
    if (active.empty()) break;
    if (const int signal = interrupt_signal()) {
      std::vector<std::string> where;
      for (auto i : active) {
        save_checkpoint(runs[i].checkpoint_path(), runs[i].task().model(), runs[i].optimizer.get(),
                        state_at(runs[i]));
        where.push_back(fmt::format("{} at step {}", runs[i].member->dir.string(), runs[i].step));
      }
      throw Interrupted(fmt::format("stopped by {}: {}; checkpoints saved", signal_name(signal),
                                    fmt::join(where, ", ")));
    }
    for (auto i : active) {
      auto& run = runs[i];
      if (run.stage_at(run.step) != run.stage) {
        run.stage = run.stage_at(run.step);
        run.task().begin_stage(run.stage);
      }
      run.optimizer->clear_gradients();
    }
    // 4. one forward and backward for every run still training; each steps its own Adam.
    torch::Tensor losses = loss(active, steps);  // (n)
    losses.sum().backward();
    for (auto i : active) runs[i].optimizer->step();
    const auto values = losses.detach().to(torch::kCPU, torch::kDouble).contiguous();
    for (size_t k = 0; k < active.size(); ++k) {
      auto& run = runs[active[k]];
      const double value = values.data_ptr<double>()[k];
      if (!std::isfinite(value)) {
        // As TwoStageTrainer: this update is poisoned and is not saved. The
        // run leaves the batch; the others go on, as other workers would.
        run.error = fmt::format("{}: training diverged at step {}: the loss is {} ({}; lower train.learning_rate?)",
                                run.member->dir.string(), run.step, value,
                                run.checkpointed >= 0 ? fmt::format("the checkpoint of step {} is kept", run.checkpointed)
                                                      : std::string("no checkpoint yet"));
        run.training = false;
        continue;
      }
      run.loss_sum += value;
      ++run.loss_count;
      ++run.step;
    }
  }
  std::vector<TrainingResult> results;
  if (failures) failures->assign(runs.size(), std::string());
  for (size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].error && !failures) throw Error(*runs[i].error);
    if (runs[i].error) (*failures)[i] = *runs[i].error;
    results.push_back(std::move(runs[i].result));
  }
  return results;
}

std::vector<TrainingResult> run_recorded_batched(
    const std::vector<RecordedRun>& runs, const RunContext& context,
    const std::function<BatchedTasks(const std::vector<size_t>& pending)>& make_tasks) {
  std::vector<std::unique_ptr<io::RunLock>> locks;
  std::vector<TrainingResult> results(runs.size());
  std::vector<size_t> pending;
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& run = runs[i];
    locks.push_back(std::make_unique<io::RunLock>(run.dir));
    check_run_folder(run.dir, run.config_yaml, run.resume, run.same_config);
    if (io::run_done(run.dir)) {
      results[i].history = read_history(run.dir);
      if (!results[i].history.empty())
        results[i].resumed_from = static_cast<int64_t>(results[i].history.back().get("step"));
    } else {
      io::ensure_directory(run.dir);
      pending.push_back(i);
    }
  }
  if (pending.empty()) return results;
  std::vector<io::RunRecord> records;
  std::vector<std::string> batched_runs;  // what each run.json records of this batched model
  for (auto i : pending) batched_runs.push_back(runs[i].dir.string());
  for (auto i : pending) {
    records.push_back(run_record(runs[i], context));
    records.back().batched_runs = batched_runs;
  }
  BatchedTasks batch = make_tasks(pending);
  check(batch.tasks.size() == pending.size() && batch.loss, "run_recorded_batched: expected {} tasks and a loss",
        pending.size());
  std::vector<BatchedMember> members;
  for (size_t k = 0; k < pending.size(); ++k) {
    const auto& run = runs[pending[k]];
    BatchedMember member{batch.tasks[k].get(), run.trainer, run.dir};
    member.options.progress(context.progress);
    const auto* record = &records[k];
    member.options.on_started([record, dir = run.dir] { io::write_run_record(dir, *record); });
    members.push_back(std::move(member));
  }
  std::vector<std::string> failures;
  auto trained = train_batched(members, batch.loss, /*resume=*/true, &failures);
  std::string failure;
  for (size_t k = 0; k < pending.size(); ++k) {
    const auto& run = runs[pending[k]];
    if (!failures[k].empty()) {  // no done marker: its folder resumes from the kept checkpoint
      if (failure.empty()) failure = failures[k];
      continue;
    }
    io::write_done_marker(run.dir, trained[k].seconds);
    if (!run.keep_checkpoint) {
      std::error_code ignored;
      fs::remove(run.dir / "checkpoint.pt", ignored);
    }
    results[pending[k]] = std::move(trained[k]);
  }
  if (!failure.empty()) throw Error(failure);
  return results;
}

}  // namespace attn::train
