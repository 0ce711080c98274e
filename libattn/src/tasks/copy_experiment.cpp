// Running and summarising the copy experiment (see attn/tasks/copy_experiment.h).
#include "attn/tasks/copy_experiment.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "attn/io/csv.h"
#include "attn/core/error.h"
#include "attn/io/files.h"
#include "attn/io/run_cost.h"
#include "attn/io/run_record.h"
#include "attn/plot/copy_figures.h"

namespace attn::tasks {

namespace fs = std::filesystem;

fs::path seed_directory(const fs::path& experiment_dir, int64_t seed) {
  return experiment_dir / fmt::format("seed_{:02d}", seed);
}

train::RecordedRun copy_recorded_run(const CopyExperimentConfig& config, int64_t seed, const fs::path& run_dir,
                                     bool resume) {
  train::RecordedRun run;
  run.dir = run_dir;
  run.config_yaml = config.resolved_yaml;
  run.experiment = config.name;
  run.seed = seed;
  run.trainer = config.train.trainer;
  run.trainer.label(fmt::format("{} seed {}", config.name, seed));
  run.resume = resume;
  return run;
}

train::TrainingResult run_copy_seed(const CopyExperimentConfig& config, int64_t seed, const fs::path& run_dir,
                                    const train::RunContext& context, bool resume) {
  return train::run_recorded(copy_recorded_run(config, seed, run_dir, resume), context, [&] { return std::make_unique<CopyTask>(config, seed, context.device); });
}

std::vector<CopySeedRun> copy_seed_runs(const std::vector<CopyExperimentConfig>& configs, const fs::path& out_dir) {
  std::vector<CopySeedRun> runs;
  for (size_t i = 0; i < configs.size(); ++i)
    for (int64_t s = 0; s < configs[i].seeds; ++s) {
      const int64_t seed = configs[i].first_seed + s;
      runs.push_back({i, seed, seed_directory(out_dir / configs[i].name, seed)});
    }
  return runs;
}

void prepare_copy_folders(const std::vector<CopyExperimentConfig>& configs, const fs::path& out_dir, bool resume) {
  for (size_t i = 0; i < configs.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      check(configs[i].name != configs[j].name, "--config: two configs share the name '{}'", configs[i].name);
  // summary.md, summary.csv and the figure cover the configs of this command:
  // running other configs into a folder that holds an experiment would
  // silently replace its summary with theirs alone.
  std::error_code ec;
  for (fs::directory_iterator it(out_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string held = it->path().filename().string();
    if (!it->is_directory() || !fs::exists(it->path() / "config.yaml")) continue;
    bool ours = false;
    for (const auto& c : configs) ours = ours || c.name == held;
    std::vector<std::string> names;
    for (const auto& c : configs) names.push_back(c.name);
    check(ours, "{}: holds the copy experiment '{}', not '{}'; its summary would be replaced (give its config too, "
          "or use another --out)", out_dir.string(), held, fmt::join(names, "', '"));
  }
  for (const auto& config : configs) {
    const fs::path config_dir = out_dir / config.name;
    train::check_run_folder(config_dir, config.resolved_yaml, resume);
    io::write_file_atomic(config_dir / "config.yaml", config.resolved_yaml);
  }
}

std::string copy_run_name(const std::vector<CopyExperimentConfig>& configs, const CopySeedRun& run) {
  return configs.at(run.config).name + "/" + run.dir.filename().string();
}

CopySeedRun find_copy_run(const std::vector<CopyExperimentConfig>& configs, const fs::path& out_dir,
                          const std::string& name) {
  std::vector<std::string> names;
  for (const auto& run : copy_seed_runs(configs, out_dir)) {
    if (copy_run_name(configs, run) == name) return run;
    names.push_back(copy_run_name(configs, run));
  }
  const std::string listed = names.size() <= 4 ? fmt::format("{}", fmt::join(names, ", "))
                                               : fmt::format("{}, ..., {}", names.front(), names.back());
  throw Error(fmt::format("--only-run: expected a run of the configs given (<config name>/seed_<NN>: {}), got '{}'",
                          listed, name));
}

fs::path default_copy_folder(const std::vector<CopyExperimentConfig>& configs) {
  std::vector<std::string> names;
  for (const auto& c : configs) names.push_back(c.name);
  return "runs/copy-" + fmt::format("{}", fmt::join(names, "+"));
}

CopySeedSummary summarize_copy_history(int64_t seed, const std::vector<train::MetricRow>& history) {
  CopySeedSummary s;
  s.seed = seed;
  check(!history.empty(), "seed {}: no evaluations recorded", seed);
  const auto& last = history.back();
  s.token_acc = last.get("token_acc");
  s.attention_acc = last.get("attention_acc");
  s.ktiw_acc = last.get("ktiw_acc");
  s.eval_loss = last.get("eval_loss");
  auto first_step = [&](const char* metric, double level) -> int64_t {
    for (const auto& row : history)
      if (row.get(metric) >= level) return static_cast<int64_t>(row.get("step"));
    return -1;
  };
  s.step_to_95 = first_step("token_acc", kCopySuccessAccuracy);
  s.ktiw_step_to_50 = first_step("ktiw_acc", kAlignmentLevel);
  s.attention_step_to_50 = first_step("attention_acc", kAlignmentLevel);
  return s;
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
    out += fmt::format(
        "\n### {}\n\n| seed | token acc | attention acc | KTIW acc | step to {} | "
        "KTIW >= {} at | attention >= {} at |\n|---:|---:|---:|---:|---:|---:|---:|\n",
        e.name, kCopySuccessAccuracy, kAlignmentLevel, kAlignmentLevel);
    auto step = [](int64_t s) { return s >= 0 ? std::to_string(s) : std::string("never"); };
    for (const auto& s : e.seeds)
      out += fmt::format("| {} | {:.3f} | {:.3f} | {:.3f} | {} | {} | {} |\n", s.seed, s.token_acc, s.attention_acc,
                         s.ktiw_acc, step(s.step_to_95), step(s.ktiw_step_to_50), step(s.attention_step_to_50));
    out += fmt::format("\n{}: success (final token acc >= {}) in {}/{} seeds ({:.0f}%)\n", e.name, kCopySuccessAccuracy,
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
      out += fmt::format("{},{},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{},{}\n", io::csv_field(e.name), s.seed, s.token_acc,
                         s.attention_acc, s.ktiw_acc, s.eval_loss, s.step_to_95, s.ktiw_step_to_50,
                         s.attention_step_to_50, s.success() ? 1 : 0);
  return out;
}

void write_copy_summary(const std::vector<CopyExperimentConfig>& configs, const fs::path& out_dir) {
  const auto runs = copy_seed_runs(configs, out_dir);
  std::vector<CopyExperimentSummary> summaries;
  std::vector<plot::CurveSet> curves;
  for (size_t i = 0; i < configs.size(); ++i) {
    CopyExperimentSummary summary{configs[i].name, {}};
    plot::CurveSet curve{configs[i].name, {}};
    for (const auto& run : runs) {
      if (run.config != i) continue;
      summary.seeds.push_back(summarize_copy_history(run.seed, train::read_history(run.dir)));
      curve.metric_files.push_back(run.dir / "metrics.csv");
    }
    summaries.push_back(summary);
    curves.push_back(curve);
  }
  const std::string table = format_summary(summaries);
  fmt::print("{}\n", table);
  // Over every invocation, so a run resumed across sessions still has a cost.
  std::vector<std::pair<std::string, std::vector<io::RunSpan>>> phases;
  for (const auto& c : configs) phases.emplace_back(c.name, io::read_run_spans(out_dir / c.name));
  io::write_file_atomic(out_dir / "summary.md",
                        "# attn-copy summary\n" + table + "\n## Cost\n\n" + io::format_run_costs(phases));
  io::write_file_atomic(out_dir / "summary.csv", summary_csv(summaries));
  if (plot::render_copy_learning_curves(out_dir / "learning_curves.png", curves))
    fmt::print("figure: {}\n", (out_dir / "learning_curves.png").string());
}

}  // namespace attn::tasks
