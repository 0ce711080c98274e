// The translation run set (see attn/tasks/translation_runs.h).
#include "attn/tasks/translation_runs.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "attn/core/error.h"
#include "attn/io/checkpoint.h"
#include "attn/io/files.h"
#include "attn/io/run_cost.h"
#include "attn/io/run_record.h"
#include "attn/io/same_config.h"
#include "attn/tasks/translation_task.h"

namespace attn::tasks {

namespace fs = std::filesystem;

namespace {

constexpr const char* kVocabularyFile = "sentencepiece.model";

}  // namespace

bool same_translation_training(const std::string& resolved_a, const std::string& resolved_b) {
  // Only the analysis reads `analysis`: configs that agree on the rest share a run set.
  return io::same_config_except(resolved_a, resolved_b, "analysis");
}

bool is_translation_run_set(const fs::path& dir) { return fs::exists(dir / kVocabularyFile); }

std::vector<TranslationRun> translation_runs(const TranslationConfig& config, const fs::path& out_dir) {
  std::vector<TranslationRun> runs;
  runs.push_back({"A", config.gold_seed, false, out_dir / fmt::format("A-seed{}", config.gold_seed)});
  for (size_t i = 0; i < config.comparison_seeds.size(); ++i) {
    const std::string name(1, static_cast<char>('B' + i));
    const int64_t seed = config.comparison_seeds[i];
    runs.push_back({name, seed, false, out_dir / fmt::format("{}-seed{}", name, seed)});
  }
  runs.push_back({"uniform", config.uniform_seed, true, out_dir / fmt::format("uniform-seed{}", config.uniform_seed)});
  return runs;
}

const TranslationRun& find_translation_run(const std::vector<TranslationRun>& runs, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& r : runs) {
    if (r.name == name) return r;
    names.push_back(r.name);
  }
  throw Error(fmt::format("--only: no run named '{}' (expected one of {})", name, fmt::join(names, ", ")));
}

TranslationData prepare_translation_run_set(const TranslationConfig& config, const fs::path& out_dir, bool resume) {
  train::check_run_folder(out_dir, config.resolved_yaml, resume, same_translation_training);
  if (!io::recorded_config(out_dir).empty()) return load_translation_run_set_data(config, out_dir);
  const auto corpus = read_translation_corpus(config);
  const auto vocabulary = translation_vocabulary(config, corpus, config.vocabulary_cache);
  io::ensure_directory(out_dir);
  vocabulary.vocabulary.save(out_dir / kVocabularyFile);
  io::write_file_atomic(out_dir / "config.yaml", config.resolved_yaml);  // last: marks a complete set-up
  return encode_translation_data(corpus, vocabulary.vocabulary);
}

TranslationConfig read_translation_run_set_config(const fs::path& out_dir, const TranslationConfig* expected) {
  const fs::path path = out_dir / "config.yaml";
  check(fs::exists(path) && is_translation_run_set(out_dir),
        "{}: not a translation run set (no config.yaml and {}); train one with attn-translate", out_dir.string(),
        kVocabularyFile);
  TranslationConfig config = load_translation_config(path);
  config.resolved_yaml = io::read_text_file(path);
  if (expected) {
    check(same_translation_training(expected->resolved_yaml, config.resolved_yaml),
          "{}: holds runs of a different config than --config (training settings differ; compare the two "
          "config.yaml files)",
          out_dir.string());
    config.analysis = expected->analysis;
  }
  for (const auto& run : translation_runs(config, out_dir)) {
    const std::string recorded = io::recorded_config(run.dir);
    check(recorded.empty() || same_translation_training(recorded, config.resolved_yaml),
          "{}: run folder made by a different config than {}; refusing to use a mixed run set", run.dir.string(),
          path.string());
  }
  return config;
}

TranslationData load_translation_run_set_data(const TranslationConfig& config, const fs::path& out_dir) {
  const auto vocabulary = data::SentencePieceVocabulary::load(out_dir / kVocabularyFile);
  return encode_translation_data(read_translation_corpus(config), vocabulary);
}

train::TrainingResult train_translation_run(const TranslationConfig& config, const TranslationData& data,
                                            const TranslationRun& run, const train::RunContext& context) {
  train::RecordedRun recorded;
  recorded.dir = run.dir;
  recorded.config_yaml = config.resolved_yaml;
  recorded.experiment = fmt::format("{} run {}", config.name, run.name);
  recorded.seed = run.seed;
  recorded.trainer = config.trainer_options(static_cast<int64_t>(data.train.size()));
  // The uniform run keeps attention uniform for every step (K >= steps).
  recorded.trainer.uniform_steps(run.uniform ? recorded.trainer.steps() : 0)
      .label(fmt::format("{} {} seed {}", config.name, run.name, run.seed));
  recorded.same_config = same_translation_training;
  return train::run_recorded(recorded, context, [&] {
    return std::make_unique<TranslationTask>(config, data, run.seed, context.device);
  });
}

bool translation_run_finished(const TranslationRun& run) { return io::run_done(run.dir); }

fs::path translation_snapshot_path(const TranslationRun& run, int64_t step) {
  return run.dir / "snapshots" / fmt::format("step_{}.pt", step);
}

nn::TranslationModel load_translation_snapshot(const TranslationConfig& config, const TranslationData& data,
                                               const TranslationRun& run, int64_t step, const torch::Device& device) {
  const fs::path path = translation_snapshot_path(run, step);
  check(fs::exists(path), "{}: snapshot missing; is the run finished? (attn-translate --resume completes it)",
        path.string());
  nn::TranslationModel model(config.model_options(data.vocabulary_size()).uniform_attention(run.uniform));
  io::load_weights(path, *model);
  model->to(device);
  model->eval();
  return model;
}

void write_translation_run_set_cost(const TranslationConfig& config, const fs::path& out_dir) {
  std::vector<io::RunSpan> spans;
  for (const auto& run : translation_runs(config, out_dir))
    if (auto span = io::read_run_span(run.dir)) spans.push_back(*span);
  io::write_file_atomic(out_dir / "cost.md", fmt::format("# attn-translate cost: {}\n\n{}", config.name,
                                                         io::format_run_costs({{"training", spans}})));
}

}  // namespace attn::tasks
