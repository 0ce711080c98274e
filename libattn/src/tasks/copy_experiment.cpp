// Running and summarising the copy experiment (see attn/tasks/copy_experiment.h).
#include "attn/tasks/copy_experiment.h"

#include <fmt/format.h>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/files.h"
#include "attn/io/run_record.h"

namespace attn::tasks {

namespace fs = std::filesystem;

fs::path seed_directory(const fs::path& experiment_dir, int64_t seed) {
  return experiment_dir / fmt::format("seed_{:02d}", seed);
}

bool seed_finished(const fs::path& run_dir) { return io::run_done(run_dir); }

std::vector<train::MetricRow> read_history(const fs::path& run_dir) {
  const fs::path path = run_dir / "metrics.csv";
  return train::MetricRow::parse_csv(io::read_text_file(path), path.string());
}

train::TrainingResult run_copy_seed(const CopyExperimentConfig& config, int64_t seed, const fs::path& run_dir,
                                    const SeedRunOptions& options) {
  const std::string previous = io::recorded_config(run_dir);
  if (!previous.empty()) {
    check(options.resume, "{}: already holds a run; pass --resume to continue it or choose another --out",
          run_dir.string());
    check(previous == config.resolved_yaml,
          "{}: holds a run of a different config (compare its config.yaml); refusing to resume it",
          run_dir.string());
  }
  io::ensure_directory(run_dir);
  io::write_run_record(run_dir, {config.resolved_yaml, seed, describe_device(options.device, options.threads),
                                 options.threads, options.command_line, config.name});
  CopyTask task(config, seed, options.device);
  train::TrainerOptions trainer_options = config.trainer;
  trainer_options.label(fmt::format("{} seed {}", config.name, seed)).progress(options.progress);
  train::TwoStageTrainer trainer(task, trainer_options, run_dir);
  auto result = trainer.run(options.resume);
  io::write_done_marker(run_dir, result.seconds);
  return result;
}

int64_t CopyExperimentSummary::successes() const {
  int64_t n = 0;
  for (const auto& s : seeds) n += s.success() ? 1 : 0;
  return n;
}

double CopyExperimentSummary::success_rate() const {
  return seeds.empty() ? 0.0 : static_cast<double>(successes()) / seeds.size();
}

std::string format_summary(const std::vector<CopyExperimentSummary>& experiments) {
  std::string out;
  for (const auto& e : experiments) {
    out += fmt::format("\n### {}\n\n| seed | token acc | attention acc | KTIW acc | step to 0.95 | "
                       "KTIW >= 0.5 at | attention >= 0.5 at |\n|---:|---:|---:|---:|---:|---:|---:|\n", e.name);
    auto step = [](int64_t s) { return s >= 0 ? std::to_string(s) : std::string("never"); };
    for (const auto& s : e.seeds)
      out += fmt::format("| {} | {:.3f} | {:.3f} | {:.3f} | {} | {} | {} |\n", s.seed, s.token_acc, s.attention_acc,
                         s.ktiw_acc, step(s.step_to_95), step(s.ktiw_step_to_50), step(s.attention_step_to_50));
    out += fmt::format("\n{}: success (final token acc >= 0.95) in {}/{} seeds ({:.0f}%)\n", e.name,
                       e.successes(), e.seeds.size(), 100.0 * e.success_rate());
  }
  return out;
}

std::string summary_csv(const std::vector<CopyExperimentSummary>& experiments) {
  std::string out =
      "experiment,seed,token_acc,attention_acc,ktiw_acc,eval_loss,step_to_95,ktiw_step_to_50,"
      "attention_step_to_50,success\n";
  for (const auto& e : experiments)
    for (const auto& s : e.seeds)
      out += fmt::format("{},{},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{},{}\n", e.name, s.seed, s.token_acc,
                         s.attention_acc, s.ktiw_acc, s.eval_loss, s.step_to_95, s.ktiw_step_to_50,
                         s.attention_step_to_50, s.success() ? 1 : 0);
  return out;
}

}  // namespace attn::tasks
