// The multi-head experiment of the paper's Section 5.2 (PAPER.md 2.4, 5
// "multihead"): its config, the fixed base of non-attention weights that every
// run shares, random single heads, the assembly of a model from the base and a
// list of heads, and a copy task that also reports each head's attention
// accuracy. Screening and the combination trials are in
// attn/tasks/head_screening.h; the app attn-multihead is a thin CLI over both.
//
// Config (YAML): the keys of attn/tasks/copy_task.h without `stage1_data`
// (`seeds`, `first_seed`, `model.heads` only at their defaults, as the
// resolved config.yaml writes them; the experiment decides those), plus:
//   base_seed: 0                  # torch seed of the fixed base
//   screening: {good: 20, bad: 20, max_draws: 2000, head_seed: 1000,
//               data_seeds: [0, 1, 2], good_threshold: 0.95, bad_threshold: 0.6}
//   trials:    {count: 50, heads: 8, first_data_seed: 1000, selection_seed: 7,
//               combinations: [bad, bad+good, random]}
// model.architecture must be multihead_gru; train.eval_set must be fixed.
//
// Legend: B = batch, H = heads, T = target steps, S = source positions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attn/io/config.h"
#include "attn/nn/attention.h"
#include "attn/nn/copy_models.h"
#include "attn/tasks/copy_experiment.h"
#include "attn/tasks/copy_task.h"

namespace attn::tasks {

/// How heads are screened one at a time on top of the base (Section 5.2).
struct ScreeningOptions {
  int64_t good = 20;        ///< good heads to keep
  int64_t bad = 20;         ///< bad heads to keep
  int64_t max_draws = 2000; ///< give up after this many heads
  int64_t head_seed = 1000; ///< head k is drawn from torch seed head_seed + k
  std::vector<int64_t> data_seeds = {0, 1, 2};  ///< batch streams every head is trained on
  double good_threshold = 0.95;  ///< good: token acc > this at some evaluation, every data seed
  double bad_threshold = 0.6;    ///< bad: final token acc < this, every data seed
};

/// The three kinds of 8-head models compared in the trials.
enum class Combination { kBad, kBadPlusGood, kRandom };

/// "bad", "bad+good", "random" (the YAML names and folder names).
std::string combination_name(Combination combination);

struct TrialOptions {
  int64_t count = 50;             ///< trials per combination
  int64_t heads = 8;              ///< heads per model
  int64_t first_data_seed = 1000; ///< trial i of every combination trains on seed first_data_seed + i
  int64_t selection_seed = 7;     ///< which kept heads (and which fresh heads) a trial gets
  std::vector<Combination> combinations = {Combination::kBad, Combination::kBadPlusGood, Combination::kRandom};
};

struct MultiheadExperimentConfig {
  CopyExperimentConfig copy;  ///< data, model (multihead_gru, heads = 1) and train
  int64_t base_seed = 0;
  ScreeningOptions screening;
  TrialOptions trials;
  std::string resolved_yaml;  ///< every default filled in

  /// The copy config with `heads` heads (screening: 1, trials: trials.heads).
  CopyExperimentConfig with_heads(int64_t heads) const;
};

/// Reads and checks a config; errors name the file and the dotted key.
MultiheadExperimentConfig load_multihead_experiment(const std::filesystem::path& path);
MultiheadExperimentConfig parse_multihead_experiment(const io::ConfigNode& root);

/// A module holding every child of `model` except its attention (the same
/// submodules, not copies): what the fixed base saves and loads.
std::shared_ptr<torch::nn::Module> non_attention_view(nn::Seq2SeqModel& model);

/// Initialises a model of `options` from torch seed `seed` and saves its
/// non-attention weights to `path` (save_weights format).
void make_fixed_base(const nn::CopyModelOptions& options, int64_t seed, const std::filesystem::path& path);

/// One random head with the model's default attention initialisation, drawn
/// from torch seed `seed`: a 1-head Attention module shaped for `options`.
nn::Attention draw_head(const nn::CopyModelOptions& options, int64_t seed);

/// Saves / loads one head (its attention weights only; shapes checked on load).
void save_head(const std::filesystem::path& path, nn::AttentionImpl& head);
nn::Attention load_head(const nn::CopyModelOptions& options, const std::filesystem::path& path);

/// The model of a run: `options` with heads.size() heads, non-attention
/// weights read from `base_path`, head k copied from heads[k] (head 0 of it).
std::shared_ptr<nn::Seq2SeqModel> assemble_model(const nn::CopyModelOptions& options,
                                                  const std::filesystem::path& base_path,
                                                  const std::vector<nn::Attention>& heads);

/// CopyTask plus head<k>_attention_acc (argmax_l alpha^k_{t,l} = gold
/// position) for every head k, on the same evaluation batch. With
/// `with_ktiw` false the KTIW probe is skipped (screening needs only token
/// accuracy); the other metric names are CopyTask's.
class MultiheadCopyTask : public CopyTask {
 public:
  MultiheadCopyTask(const CopyExperimentConfig& config, int64_t seed, const torch::Device& device,
                    std::shared_ptr<nn::Seq2SeqModel> model, bool with_ktiw);
  train::MetricRow evaluate(int64_t step) override;
  std::vector<std::string> progress_metrics() const override;

 private:
  bool with_ktiw_;
};

/// "head3_attention_acc".
std::string head_metric_name(int64_t head);

/// The fixed base inside an experiment folder: <dir>/base.pt.
std::filesystem::path fixed_base_path(const std::filesystem::path& experiment_dir);

/// Trains make_model() on data seed `seed` of `config` with MultiheadCopyTask
/// into `run_dir` (config.yaml, run.json, metrics.csv/.jsonl, done marker), or
/// reads the history back without building the model when the run is done. A
/// run killed midway resumes from its last checkpoint; the checkpoint is
/// deleted once the run is done (hundreds of runs: the metrics are what is kept).
/// `stop_when`: see TrainerOptions::stop_when.
std::vector<train::MetricRow> train_multihead_run(const CopyExperimentConfig& config, int64_t seed,
                                                   const std::function<std::shared_ptr<nn::Seq2SeqModel>()>& make_model,
                                                   bool with_ktiw,
                                                   const std::filesystem::path& run_dir, const std::string& label,
                                                   const SeedRunOptions& options,
                                                   std::function<bool(const train::MetricRow&)> stop_when = nullptr);

}  // namespace attn::tasks
