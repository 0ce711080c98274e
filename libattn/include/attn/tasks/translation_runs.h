// The run set of the translation experiment (PAPER.md 2.2 and 4.1): the gold
// run A (seed 20; its best snapshot gives the gold attention and Delta), the
// comparison run(s) B.. (seed 13) and one uniform-attention run (seed 12), in
// one folder:
//   <out>/config.yaml          the resolved config every run was trained with
//   <out>/sentencepiece.model  the joint vocabulary (analysis reuses it exactly)
//   <out>/A-seed20/ ...        config.yaml, run.json, metrics.csv/.jsonl,
//   <out>/uniform-seed12/        checkpoint.pt, snapshots/step_N.pt, done
// attn-translate trains it (resumable, runs in worker processes); attn-analyze
// reads it. A folder made by a config with other training settings is refused.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "attn/nn/translation_model.h"
#include "attn/tasks/translation_config.h"
#include "attn/tasks/translation_data.h"
#include "attn/train/recorded_run.h"

namespace attn::tasks {

struct TranslationRun {
  std::string name;  ///< "A", "B", ... or "uniform"
  int64_t seed = 0;
  bool uniform = false;
  std::filesystem::path dir;
};

/// The runs of `config` in order: A, B, ... then uniform.
std::vector<TranslationRun> translation_runs(const TranslationConfig& config, const std::filesystem::path& out_dir);

/// Finds a run by name; throws attn::Error naming the choices.
const TranslationRun& find_translation_run(const std::vector<TranslationRun>& runs, const std::string& name);

/// True when two resolved configs train the same runs: they differ at most in
/// the analysis-only `analysis` section.
bool same_translation_training(const std::string& resolved_a, const std::string& resolved_b);

/// True when `dir` holds a translation run set (its sentencepiece.model).
bool is_translation_run_set(const std::filesystem::path& dir);

/// Creates the run-set folder: reads the corpus, trains the SentencePiece
/// model (cached under vocabulary.cache when set), writes it and config.yaml.
/// An existing folder must hold the same training settings and is only
/// reused with `resume`.
TranslationData prepare_translation_run_set(const TranslationConfig& config, const std::filesystem::path& out_dir,
                                            bool resume);

/// Reads <out>/config.yaml and checks every run folder against it. With
/// `expected`, its training settings must equal the recorded ones and the
/// returned config takes its `analysis` section.
TranslationConfig read_translation_run_set_config(const std::filesystem::path& out_dir,
                                                  const TranslationConfig* expected = nullptr);

/// The run set's data, encoded with its saved SentencePiece model.
TranslationData load_translation_run_set_data(const TranslationConfig& config, const std::filesystem::path& out_dir);

/// Trains (or resumes) one run through the recorded-run path.
train::TrainingResult train_translation_run(const TranslationConfig& config, const TranslationData& data,
                                            const TranslationRun& run, const train::RunContext& context);

bool translation_run_finished(const TranslationRun& run);

/// <run>/snapshots/step_<step>.pt
std::filesystem::path translation_snapshot_path(const TranslationRun& run, int64_t step);

/// `run`'s model at snapshot `step`, in eval mode on `device`.
nn::TranslationModel load_translation_snapshot(const TranslationConfig& config, const TranslationData& data,
                                               const TranslationRun& run, int64_t step,
                                               const torch::Device& device = torch::kCPU);

/// cost.md: compute and active wall time of every run of the set.
void write_translation_run_set_cost(const TranslationConfig& config, const std::filesystem::path& out_dir);

}  // namespace attn::tasks
