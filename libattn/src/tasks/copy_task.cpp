// The copy experiment's config and TrainingTask (see attn/tasks/copy_task.h).
#include "attn/tasks/copy_task.h"

#include <torch/nn/functional/loss.h>

#include "attn/core/error.h"
#include "attn/metrics/copy_accuracy.h"
#include "attn/probes/ktiw.h"

namespace attn::tasks {

namespace {

// Evaluation batches come from a stream disjoint from the training batches.
constexpr uint64_t kEvalStream = 0x5EEDE7A1ULL;
constexpr uint64_t kFixedEvalIndex = 0xF1C5ED;

data::CopyTaskOptions read_data(const io::ConfigNode& node, const std::string& section,
                                const data::CopyTaskOptions& fallback) {
  data::CopyTaskOptions o;
  o.vocab(node.get_int("vocab", fallback.vocab()));
  o.length(node.get_int("length", fallback.length()));
  o.repeats(node.get_bool("repeats", fallback.repeats()));
  // The data module's own rules, reported with the config file in front.
  try {
    data::validate(o, {o.vocab()}, section);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", node.origin(), e.what()));
  }
  return o;
}

}  // namespace

data::CopyVocabulary CopyExperimentConfig::vocabulary() const {
  int64_t size = data.vocab();
  if (stage1_data) size = std::max(size, stage1_data->vocab());
  return {size};
}

CopyExperimentConfig parse_copy_experiment(const io::ConfigNode& root) {
  CopyExperimentConfig c;
  c.name = root.get_string("name", "copy");
  c.seeds = root.get_int("seeds", 1);
  root.require(c.seeds >= 1, "seeds", "expected at least 1 seed");
  c.first_seed = root.get_int("first_seed", 0);
  root.require(c.first_seed >= 0, "first_seed", "expected a non-negative seed");
  c.data = read_data(root.child("data"), "data", data::CopyTaskOptions());
  if (root.has("stage1_data")) c.stage1_data = read_data(root.child("stage1_data"), "stage1_data", c.data);

  auto m = root.child("model");
  c.model.architecture(m.get_choice("architecture", "lstm", {"lstm", "multihead_gru"}));
  c.model.embedding_dim(m.get_int("embedding_dim", 256));
  c.model.hidden_size(m.get_int("hidden_size", 256));
  c.model.bidirectional(m.get_bool("bidirectional", false));
  c.model.heads(m.get_int("heads", 1));
  m.require(c.model.embedding_dim() >= 1, "embedding_dim", "expected a positive size");
  m.require(c.model.hidden_size() >= 1, "hidden_size", "expected a positive size");
  m.require(c.model.heads() >= 1, "heads", "expected at least 1 head");
  m.require(!(c.model.bidirectional() && c.model.architecture() == "multihead_gru"), "bidirectional",
            "the multihead_gru model is unidirectional");
  c.model.vocab_size(c.vocabulary().total());

  auto t = root.child("train");
  c.trainer.steps(t.get_int("steps", 200));
  c.batch_size = t.get_int("batch_size", 128);
  c.trainer.learning_rate(t.get_double("learning_rate", 1e-3));
  c.trainer.uniform_steps(t.get_int("uniform_steps", 0));
  c.trainer.eval_every(t.get_int("eval_every", 10));
  c.eval_examples = t.get_int("eval_examples", 400);
  c.fresh_eval = t.get_choice("eval_set", "fresh", {"fresh", "fixed"}) == "fresh";
  c.trainer.checkpoint_every(t.get_int("checkpoint_every", 50));
  t.require(c.trainer.steps() >= 1, "steps", "expected a positive number of steps");
  t.require(c.batch_size >= 1, "batch_size", "expected a positive batch size");
  t.require(c.trainer.learning_rate() > 0, "learning_rate", "expected a positive learning rate");
  t.require(c.trainer.uniform_steps() >= 0, "uniform_steps", "expected >= 0 (>= steps: uniform throughout)");
  t.require(c.trainer.eval_every() >= 1, "eval_every", "expected a positive number of steps");
  t.require(c.eval_examples >= 1, "eval_examples", "expected a positive number of examples");
  t.require(c.trainer.checkpoint_every() >= 0 && c.trainer.checkpoint_every() % c.trainer.eval_every() == 0,
            "checkpoint_every", "expected 0 or a multiple of eval_every (checkpoints follow evaluations)");
  root.require(!(c.stage1_data && c.trainer.uniform_steps() == 0), "stage1_data",
               "has no effect without train.uniform_steps > 0");
  root.finish();
  c.resolved_yaml = root.resolved_yaml();
  return c;
}

CopyExperimentConfig load_copy_experiment(const std::filesystem::path& path) {
  return parse_copy_experiment(io::ConfigNode::load_file(path));
}

CopyTask::CopyTask(const CopyExperimentConfig& config, int64_t seed, const torch::Device& device)
    : config_(config), seed_(seed), device_(device), current_data_(config.data) {
  torch::manual_seed(static_cast<uint64_t>(seed));
  model_ = nn::make_copy_model(config.model);
  model_->to(device);
}

CopyTask::CopyTask(const CopyExperimentConfig& config, int64_t seed, const torch::Device& device,
                   std::shared_ptr<nn::Seq2SeqModel> model)
    : config_(config), seed_(seed), device_(device), model_(std::move(model)), current_data_(config.data) {
  check(model_ != nullptr, "CopyTask: no model given");
  model_->to(device);
}

void CopyTask::begin_stage(int stage) {
  model_->set_uniform_attention(stage == 1);
  current_data_ = (stage == 1 && config_.stage1_data) ? *config_.stage1_data : config_.data;
}

torch::Tensor CopyTask::training_loss(int64_t step) {
  auto batch = data::make_copy_batch(current_data_, config_.vocabulary(), config_.batch_size, seed_, step, device_);
  auto out = model_->forward(batch.source, batch.source_mask, batch.target_in);
  return torch::nn::functional::nll_loss(out.log_probs.flatten(0, 1), batch.target_out.flatten());
}

data::CopyBatch CopyTask::evaluation_batch(int64_t step) const {
  const uint64_t index = config_.fresh_eval ? static_cast<uint64_t>(step) : kFixedEvalIndex;
  return data::make_copy_batch(config_.data, config_.vocabulary(), config_.eval_examples,
                               static_cast<uint64_t>(seed_) ^ kEvalStream, index, device_);
}

CopyEvaluation CopyTask::run_evaluation(int64_t step, bool with_ktiw) {
  torch::NoGradGuard no_grad;
  CopyEvaluation result;
  result.batch = evaluation_batch(step);
  const auto& batch = result.batch;
  const int64_t total = batch.source.size(0);
  std::vector<torch::Tensor> log_probs, attention, head_attention, beta;
  for (int64_t start = 0; start < total; start += config_.batch_size) {
    const int64_t n = std::min(config_.batch_size, total - start);
    auto source_mask = batch.source_mask.narrow(0, start, n);
    auto out = model_->forward(batch.source.narrow(0, start, n), source_mask, batch.target_in.narrow(0, start, n));
    log_probs.push_back(out.log_probs);
    attention.push_back(out.attention);
    head_attention.push_back(out.head_attention);
    if (with_ktiw) beta.push_back(probes::ktiw_beta(*model_, out, batch.target_out.narrow(0, start, n), source_mask));
  }
  result.log_probs = torch::cat(log_probs, 0);
  result.attention = torch::cat(attention, 0);
  result.head_attention = torch::cat(head_attention, 0);
  if (with_ktiw) result.beta = torch::cat(beta, 0);
  return result;
}

train::MetricRow CopyTask::evaluate(int64_t step) {
  auto eval = run_evaluation(step, /*with_ktiw=*/true);
  const auto& batch = eval.batch;
  train::MetricRow row;
  row.set("eval_loss", metrics::mean_nll(eval.log_probs, batch.target_out));
  row.set("token_acc", metrics::token_accuracy(eval.log_probs, batch.target_out));
  row.set("attention_acc", metrics::alignment_accuracy(eval.attention, batch.gold_alignment));
  row.set("ktiw_acc", metrics::alignment_accuracy(eval.beta, batch.gold_alignment));
  return row;
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
  s.step_to_95 = first_step("token_acc", 0.95);
  s.ktiw_step_to_50 = first_step("ktiw_acc", 0.5);
  s.attention_step_to_50 = first_step("attention_acc", 0.5);
  return s;
}

}  // namespace attn::tasks
