// Multi-head experiment: config, fixed base, heads, assembly, per-head
// accuracy (see attn/tasks/multihead_experiment.h).
#include "attn/tasks/multihead_experiment.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/checkpoint.h"
#include "attn/io/files.h"
#include "attn/io/run_record.h"
#include "attn/metrics/copy_accuracy.h"
#include "attn/probes/ktiw.h"

namespace attn::tasks {

namespace fs = std::filesystem;

std::string combination_name(Combination combination) {
  switch (combination) {
    case Combination::kBad: return "bad";
    case Combination::kBadPlusGood: return "bad+good";
    case Combination::kRandom: return "random";
  }
  return "?";
}

namespace {

ScreeningOptions read_screening(const io::ConfigNode& node) {
  ScreeningOptions s;
  s.good = node.get_int("good", s.good);
  s.bad = node.get_int("bad", s.bad);
  s.max_draws = node.get_int("max_draws", s.max_draws);
  s.head_seed = node.get_int("head_seed", s.head_seed);
  s.data_seeds = node.get_int_list("data_seeds", s.data_seeds);
  s.good_threshold = node.get_double("good_threshold", s.good_threshold);
  s.bad_threshold = node.get_double("bad_threshold", s.bad_threshold);
  node.require(s.good >= 0, "good", "expected a non-negative number of heads");
  node.require(s.bad >= 0, "bad", "expected a non-negative number of heads");
  node.require(s.max_draws >= 1, "max_draws", "expected at least 1 draw");
  node.require(s.head_seed >= 0, "head_seed", "expected a non-negative seed");
  node.require(!s.data_seeds.empty(), "data_seeds", "expected at least one data seed");
  const std::set<int64_t> distinct(s.data_seeds.begin(), s.data_seeds.end());
  node.require(distinct.size() == s.data_seeds.size() && *distinct.begin() >= 0, "data_seeds",
               "expected distinct non-negative seeds");
  node.require(s.good_threshold > 0 && s.good_threshold < 1, "good_threshold", "expected a value in (0, 1)");
  node.require(s.bad_threshold > 0 && s.bad_threshold <= s.good_threshold, "bad_threshold",
               "expected a value in (0, good_threshold]");
  return s;
}

TrialOptions read_trials(const io::ConfigNode& node, const ScreeningOptions& screening) {
  TrialOptions t;
  t.count = node.get_int("count", t.count);
  t.heads = node.get_int("heads", t.heads);
  t.first_data_seed = node.get_int("first_data_seed", t.first_data_seed);
  t.selection_seed = node.get_int("selection_seed", t.selection_seed);
  std::vector<std::string> names;
  for (auto c : t.combinations) names.push_back(combination_name(c));
  names = node.get_string_list("combinations", names);
  node.require(t.count >= 0, "count", "expected a non-negative number of trials");
  node.require(t.heads >= 2, "heads", "expected at least 2 heads per model");
  node.require(t.first_data_seed >= 0, "first_data_seed", "expected a non-negative seed");
  node.require(t.selection_seed >= 0, "selection_seed", "expected a non-negative seed");
  node.require(!names.empty(), "combinations", "expected at least one of bad, bad+good, random");
  t.combinations.clear();
  for (const auto& name : names) {
    Combination c = Combination::kBad;
    if (name == "bad") c = Combination::kBad;
    else if (name == "bad+good") c = Combination::kBadPlusGood;
    else if (name == "random") c = Combination::kRandom;
    else node.fail("combinations", fmt::format("expected bad, bad+good or random, got '{}'", name));
    node.require(std::find(t.combinations.begin(), t.combinations.end(), c) == t.combinations.end(),
                 "combinations", fmt::format("'{}' listed twice", name));
    t.combinations.push_back(c);
  }
  // A combination draws distinct kept heads: there must be enough of them.
  for (auto c : t.combinations) {
    const int64_t bad_needed = c == Combination::kBad ? t.heads : c == Combination::kBadPlusGood ? t.heads - 1 : 0;
    node.require(bad_needed <= screening.bad, "heads",
                 fmt::format("'{}' needs {} distinct bad heads but screening.bad is {}", combination_name(c),
                             bad_needed, screening.bad));
    node.require(c != Combination::kBadPlusGood || screening.good >= 1, "combinations",
                 "'bad+good' needs screening.good >= 1");
  }
  return t;
}

}  // namespace

CopyExperimentConfig MultiheadExperimentConfig::with_heads(int64_t heads) const {
  CopyExperimentConfig c = copy;
  c.model.heads(heads);
  return c;
}

MultiheadExperimentConfig parse_multihead_experiment(const io::ConfigNode& root) {
  MultiheadExperimentConfig c;
  c.base_seed = root.get_int("base_seed", 0);
  root.require(c.base_seed >= 0, "base_seed", "expected a non-negative seed");
  c.screening = read_screening(root.child("screening"));
  c.trials = read_trials(root.child("trials"), c.screening);
  c.copy = parse_copy_experiment(root);  // reads the rest and rejects unknown keys anywhere
  // Keys of the copy config that this experiment decides itself. They may
  // only hold their defaults, which the resolved config.yaml spells out.
  const char* decided = "is decided by the multi-head experiment (screening.data_seeds, trials): leave it out";
  root.require(!c.copy.stage1_data, "stage1_data", decided);
  root.require(c.copy.seeds == 1, "seeds", decided);
  root.require(c.copy.first_seed == 0, "first_seed", decided);
  root.child("model").require(c.copy.model.heads() == 1, "heads",
                              "is decided by the experiment (1 while screening, trials.heads in the trials): leave it out");
  root.child("model").require(c.copy.model.architecture() == "multihead_gru", "architecture",
                              "the multi-head experiment needs multihead_gru (PAPER.md 2.4)");
  root.child("train").require(!c.copy.fresh_eval, "eval_set",
                              "the multi-head experiment evaluates on one fixed set: use eval_set: fixed");
  c.resolved_yaml = c.copy.resolved_yaml;
  return c;
}

MultiheadExperimentConfig load_multihead_experiment(const fs::path& path) {
  return parse_multihead_experiment(io::ConfigNode::load_file(path));
}

std::shared_ptr<torch::nn::Module> non_attention_view(nn::Seq2SeqModel& model) {
  auto view = std::make_shared<torch::nn::Module>("NonAttention");
  const torch::nn::Module* attention = &model.attention();
  for (const auto& child : model.named_children())
    if (child.value().get() != attention) view->register_module(child.key(), child.value());
  return view;
}

void make_fixed_base(const nn::CopyModelOptions& options, int64_t seed, const fs::path& path) {
  torch::manual_seed(static_cast<uint64_t>(seed));
  auto model = nn::make_copy_model(nn::CopyModelOptions(options).heads(1));
  io::save_weights(path, *non_attention_view(*model));
}

namespace {
nn::AttentionOptions head_options(const nn::CopyModelOptions& options) {
  // The model's own attention options (sizes, no biases) with one head.
  auto model = nn::make_copy_model(nn::CopyModelOptions(options).heads(1));
  return nn::AttentionOptions(model->attention().options()).heads(1).uniform(false);
}
}  // namespace

nn::Attention draw_head(const nn::CopyModelOptions& options, int64_t seed) {
  const auto head = head_options(options);
  torch::manual_seed(static_cast<uint64_t>(seed));
  return nn::Attention(head);
}

void save_head(const fs::path& path, nn::AttentionImpl& head) {
  check(head.options().heads() == 1, "save_head: expected a 1-head module, got {} heads", head.options().heads());
  io::save_weights(path, head);
}

nn::Attention load_head(const nn::CopyModelOptions& options, const fs::path& path) {
  nn::Attention head(head_options(options));
  io::load_weights(path, *head);
  return head;
}

std::shared_ptr<nn::Seq2SeqModel> assemble_model(const nn::CopyModelOptions& options, const fs::path& base_path,
                                                  const std::vector<nn::Attention>& heads) {
  check(!heads.empty(), "assemble_model: expected at least one head");
  const auto H = static_cast<int64_t>(heads.size());
  auto model = nn::make_copy_model(nn::CopyModelOptions(options).heads(H));
  io::load_weights(base_path, *non_attention_view(*model));
  for (int64_t k = 0; k < H; ++k) model->attention().copy_head_from(*heads[k], 0, k);
  return model;
}

std::string head_metric_name(int64_t head) { return fmt::format("head{}_attention_acc", head); }

MultiheadCopyTask::MultiheadCopyTask(const CopyExperimentConfig& config, int64_t seed, const torch::Device& device,
                                     std::shared_ptr<nn::Seq2SeqModel> model, bool with_ktiw)
    : CopyTask(config, seed, device, std::move(model)), with_ktiw_(with_ktiw) {}

train::MetricRow MultiheadCopyTask::evaluate(int64_t step) {
  // CopyTask's metrics (same names and definitions) from one forward pass,
  // plus the per-head accuracies that need the same pass.
  auto eval = run_evaluation(step, with_ktiw_);
  const auto& batch = eval.batch;
  train::MetricRow row;
  row.set("eval_loss", metrics::mean_nll(eval.log_probs, batch.target_out));
  row.set("token_acc", metrics::token_accuracy(eval.log_probs, batch.target_out));
  row.set("attention_acc", metrics::alignment_accuracy(eval.attention, batch.gold_alignment));
  if (with_ktiw_) row.set("ktiw_acc", metrics::alignment_accuracy(eval.beta, batch.gold_alignment));
  const int64_t H = eval.head_attention.size(1);  // (B, H, T, S)
  for (int64_t k = 0; k < H; ++k)
    row.set(head_metric_name(k), metrics::alignment_accuracy(eval.head_attention.select(1, k), batch.gold_alignment));
  return row;
}

std::vector<std::string> MultiheadCopyTask::progress_metrics() const {
  if (with_ktiw_) return {"token_acc", "attention_acc", "ktiw_acc"};
  return {"token_acc", "attention_acc"};
}

fs::path fixed_base_path(const fs::path& experiment_dir) { return experiment_dir / "base.pt"; }

std::vector<train::MetricRow> train_multihead_run(const CopyExperimentConfig& config, int64_t seed,
                                                   const std::function<std::shared_ptr<nn::Seq2SeqModel>()>& make_model,
                                                   bool with_ktiw, const fs::path& run_dir, const std::string& label,
                                                   const SeedRunOptions& options,
                                                   std::function<bool(const train::MetricRow&)> stop_when) {
  if (seed_finished(run_dir)) return read_history(run_dir);
  io::ensure_directory(run_dir);
  io::write_run_record(run_dir, {config.resolved_yaml, seed, describe_device(options.device, options.threads),
                                 options.threads, options.command_line, config.name});
  MultiheadCopyTask task(config, seed, options.device, make_model(), with_ktiw);
  train::TrainerOptions trainer_options = config.trainer;
  trainer_options.label(label).progress(options.progress).stop_when(std::move(stop_when));
  train::TwoStageTrainer trainer(task, trainer_options, run_dir);
  auto result = trainer.run(/*resume=*/true);
  io::write_done_marker(run_dir, result.seconds);
  std::error_code ignored;
  fs::remove(trainer.checkpoint_path(), ignored);
  return result.history;
}

}  // namespace attn::tasks
