// The one recorded-run path (see attn/train/recorded_run.h).
#include "attn/train/recorded_run.h"

#include <fmt/format.h>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/files.h"
#include "attn/io/run_lock.h"
#include "attn/io/run_record.h"
#include "attn/nn/recurrent.h"
#include "attn/train/training_checkpoint.h"

namespace attn::train {

namespace fs = std::filesystem;

void check_run_folder(const fs::path& dir, const std::string& config_yaml, bool resume, const SameConfig& same) {
  const std::string previous = io::recorded_config(dir);
  if (previous.empty()) return;
  check(resume, "{}: already holds a run; pass --resume to continue it or choose another --out", dir.string());
  const bool equal = same ? same(previous, config_yaml) : previous == config_yaml;
  check(equal, "{}: holds a run of a different config (compare its config.yaml with yours); refusing to mix them",
        dir.string());
}

std::vector<MetricRow> read_history(const fs::path& run_dir) {
  const fs::path path = run_dir / "metrics.csv", checkpoint = run_dir / "checkpoint.pt";
  if (!fs::exists(path) && fs::exists(checkpoint)) {
    // Deleted metrics files come back from the history the checkpoint holds.
    auto history = checkpoint_history(checkpoint);
    write_metric_files(run_dir, history);
    return history;
  }
  return MetricRow::parse_csv(io::read_text_file(path), path.string());
}

io::RunRecord run_record(const RecordedRun& run, const RunContext& context) {
  io::RunRecord record;
  record.config_yaml = run.config_yaml;
  record.seed = run.seed;
  record.device = describe_device(context.device, context.threads);
  record.threads = context.threads;
  record.command_line = context.command_line;
  record.experiment = run.experiment;
  record.overrides = context.overrides;
  record.recurrence = nn::describe_recurrence(context.device);
  return record;
}

TrainingResult run_recorded(const RecordedRun& run, const RunContext& context,
                            const std::function<std::unique_ptr<TrainingTask>()>& make_task) {
  io::RunLock lock(run.dir);  // before anything is read or written there
  check_run_folder(run.dir, run.config_yaml, run.resume, run.same_config);
  if (io::run_done(run.dir)) {
    TrainingResult done;
    done.history = read_history(run.dir);
    if (!done.history.empty()) done.resumed_from = static_cast<int64_t>(done.history.back().get("step"));
    return done;
  }
  io::ensure_directory(run.dir);
  const io::RunRecord record = run_record(run, context);

  std::unique_ptr<TrainingTask> task = make_task();
  TrainerOptions options = run.trainer;
  options.progress(context.progress);
  options.on_started([&] { io::write_run_record(run.dir, record); });
  TwoStageTrainer trainer(*task, options, run.dir);
  TrainingResult result = trainer.run(/*resume=*/true);
  io::write_done_marker(run.dir, result.seconds);
  if (!run.keep_checkpoint) {
    std::error_code ignored;
    fs::remove(trainer.checkpoint_path(), ignored);
  }
  return result;
}

}  // namespace attn::train
