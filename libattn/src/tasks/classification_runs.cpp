// The classification run set on disk (see attn/tasks/classification_runs.h).
#include "attn/tasks/classification_runs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "attn/core/error.h"
#include "attn/io/checkpoint.h"
#include "attn/io/files.h"
#include "attn/io/run_cost.h"
#include "attn/io/run_record.h"
#include "attn/io/same_config.h"
#include "attn/tasks/classification_task.h"

namespace attn::tasks {

namespace fs = std::filesystem;

bool same_training(const std::string& resolved_a, const std::string& resolved_b) {
  // Only the analysis reads `probes`: configs that agree on the rest share a run set.
  return io::same_config_except(resolved_a, resolved_b, "probes");
}

std::vector<ClassificationRun> classification_runs(const ClassificationConfig& config, const fs::path& out_dir) {
  std::vector<ClassificationRun> runs;
  for (size_t i = 0; i < config.normal_seeds.size(); ++i) {
    const std::string name(1, static_cast<char>('A' + i));
    const int64_t seed = config.normal_seeds[i];
    runs.push_back({name, seed, false, out_dir / fmt::format("{}-seed{}", name, seed)});
  }
  runs.push_back({"uniform", config.uniform_seed, true, out_dir / fmt::format("uniform-seed{}", config.uniform_seed)});
  return runs;
}

const ClassificationRun& find_run(const std::vector<ClassificationRun>& runs, const std::string& name,
                                  const std::string& flag) {
  std::vector<std::string> names;
  for (const auto& r : runs) {
    if (r.name == name) return r;
    names.push_back(r.name);
  }
  throw Error(fmt::format("{}: no run named '{}' in this run set (expected one of {})", flag, name, fmt::join(names, ", ")));
}

ClassificationData prepare_run_set(const ClassificationConfig& config, const fs::path& out_dir, bool resume) {
  train::check_run_folder(out_dir, config.resolved_yaml, resume, same_training);
  if (!io::recorded_config(out_dir).empty()) return load_run_set_data(config, out_dir);
  ClassificationData data = load_classification_data(config);
  io::ensure_directory(out_dir);
  data.vocab.save(out_dir / "vocab.txt");
  io::write_file_atomic(out_dir / "config.yaml", config.resolved_yaml);  // last: marks a complete set-up
  return data;
}

ClassificationConfig read_run_set_config(const fs::path& out_dir, const ClassificationConfig* expected) {
  const fs::path path = out_dir / "config.yaml";
  check(fs::exists(path), "{}: not a classification run set (no config.yaml); train one with attn-classify",
        out_dir.string());
  ClassificationConfig config = load_classification_config(path);
  // The run set is identified by the text its runs were trained with.
  config.resolved_yaml = io::read_text_file(path);
  if (expected) {
    check(same_training(expected->resolved_yaml, config.resolved_yaml),
          "{}: holds runs of a different config than --config (training settings differ; compare the two "
          "config.yaml files)",
          out_dir.string());
    config.probes = expected->probes;  // the analysis may differ from the recorded one
  }
  for (const auto& run : classification_runs(config, out_dir)) {
    const std::string recorded = io::recorded_config(run.dir);
    check(recorded.empty() || same_training(recorded, config.resolved_yaml),
          "{}: run folder made by a different config than {}; refusing to analyse a mixed run set",
          run.dir.string(), path.string());
  }
  return config;
}

ClassificationData load_run_set_data(const ClassificationConfig& config, const fs::path& out_dir) {
  const data::Vocabulary vocab = data::Vocabulary::load(out_dir / "vocab.txt");
  return load_classification_data(config, &vocab);
}

void write_run_set_cost(const ClassificationConfig& config, const fs::path& out_dir) {
  std::vector<io::RunSpan> spans;
  for (const auto& run : classification_runs(config, out_dir))
    if (auto span = io::read_run_span(run.dir)) spans.push_back(*span);
  io::write_file_atomic(out_dir / "cost.md", fmt::format("# attn-classify cost: {}\n\n{}", config.name,
                                                         io::format_run_costs({{"training", spans}})));
}

bool run_finished(const ClassificationRun& run) { return io::run_done(run.dir); }

fs::path snapshot_path(const ClassificationRun& run, int64_t step) {
  const fs::path path = run.dir / "snapshots" / fmt::format("step_{}.pt", step);
  check(fs::exists(path), "{}: snapshot missing; is the run finished? (attn-classify --resume completes it)",
        path.string());
  return path;
}

nn::AttentionClassifier load_snapshot(const ClassificationConfig& config, const ClassificationData& data,
                                      const ClassificationRun& run, int64_t step) {
  nn::AttentionClassifier model(config.model_options(data.vocab.size()).uniform(run.uniform));
  io::load_weights(snapshot_path(run, step), *model);
  model->eval();
  return model;
}

train::TrainingResult train_classification_run(const ClassificationConfig& config, const ClassificationData& data,
                                               const ClassificationRun& run, const train::RunContext& context) {
  train::RecordedRun recorded;
  recorded.dir = run.dir;
  recorded.config_yaml = config.resolved_yaml;
  recorded.experiment = fmt::format("{} run {}", config.name, run.name);
  recorded.seed = run.seed;
  recorded.trainer = config.train.trainer;
  // The uniform run keeps attention uniform for every step (K >= steps).
  recorded.trainer.uniform_steps(run.uniform ? config.train.trainer.steps() : 0)
      .label(fmt::format("{} {} seed {}", config.name, run.name, run.seed));
  recorded.same_config = same_training;
  return train::run_recorded(recorded, context, [&] {
    return std::make_unique<ClassificationTask>(config, data, run.seed, context.device);
  });
}

}  // namespace attn::tasks
