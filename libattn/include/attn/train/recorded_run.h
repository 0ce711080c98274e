// One recorded run: the single path by which every experiment trains a task
// into a run folder. It refuses a folder made by another config, writes
// config.yaml and run.json (attn/io/run_record.h), runs the two-stage trainer
// (resuming from the folder's checkpoint), and writes the done marker. A run
// already done is read back without building its task. The copy,
// classification and multi-head experiments all go through it.
//
// A run folder:
//   config.yaml   the resolved config (every default filled in)
//   run.json      seed, versions, device, threads, BLAS, overrides, host, start
//   metrics.csv / metrics.jsonl   one row per evaluation
//   checkpoint.pt (removed at the end when keep_checkpoint is false)
//   snapshots/step_N.pt            the trainer's snapshot_steps
//   done          "<training seconds> s": the run finished
#pragma once

#include <c10/core/Device.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attn/io/run_record.h"
#include "attn/train/metric_row.h"
#include "attn/train/training_task.h"
#include "attn/train/two_stage_trainer.h"

namespace attn::train {

/// Where and how the runs of one invocation execute: what the shared command
/// line (attn/cli/command_line.h) decides, as one run needs it.
struct RunContext {
  c10::Device device = c10::kCPU;
  int threads = 1;                        ///< intra-op threads of this process
  bool progress = true;                   ///< a line at every evaluation
  std::vector<std::string> command_line;  ///< recorded in run.json
  std::vector<std::string> overrides;     ///< --set key=value, recorded in run.json
};

/// Two resolved configs describe the same runs (default: the same text).
using SameConfig = std::function<bool(const std::string& recorded, const std::string& resolved)>;

/// Refuses `dir` when it holds a config.yaml and either `resume` is false or
/// that config is not `same` as `config_yaml`. Used for a run folder and for
/// the folder of a whole run set, with one wording.
void check_run_folder(const std::filesystem::path& dir, const std::string& config_yaml, bool resume,
                      const SameConfig& same = {});

struct RecordedRun {
  std::filesystem::path dir;
  std::string config_yaml;      ///< the resolved config the run trains with
  std::string experiment;       ///< run.json "experiment" (e.g. "spamassassin run A")
  int64_t seed = 0;             ///< run.json "seed"
  TrainerOptions trainer;       ///< label, stop_when, snapshots, ...; progress comes from the context
  bool resume = true;           ///< continue a run found in `dir` (else such a folder is refused)
  bool keep_checkpoint = true;  ///< false: delete checkpoint.pt once done (hundreds of small runs)
  SameConfig same_config;       ///< how `dir`'s recorded config is compared (default: equal text)
};

/// The run.json record run_recorded writes for `run` (also used by
/// run_recorded_batched, train/batched_trainer.h).
io::RunRecord run_record(const RecordedRun& run, const RunContext& context);

/// Trains `run` (building its task with `make_task` only when there is
/// training left) and returns its history. Throws attn::Error naming the folder
/// when it holds another config.
TrainingResult run_recorded(const RecordedRun& run, const RunContext& context,
                            const std::function<std::unique_ptr<TrainingTask>()>& make_task);

/// The metrics.csv of a run folder (throws attn::Error naming it).
std::vector<MetricRow> read_history(const std::filesystem::path& run_dir);

}  // namespace attn::train
