// The copy experiment's config and TrainingTask (see attn/tasks/copy_task.h).
#include "attn/tasks/copy_task.h"

#include <torch/nn/functional/loss.h>

#include "attn/core/error.h"
#include "attn/io/path_name.h"
#include "attn/core/seed_streams.h"
#include "attn/data/copy_data_config.h"
#include "attn/metrics/copy_accuracy.h"
#include "attn/nn/copy_model_config.h"
#include "attn/probes/ktiw.h"

namespace attn::tasks {

namespace {

// Evaluation batches come from a stream disjoint from the training batches.

}  // namespace

data::CopyVocabulary CopyExperimentConfig::vocabulary() const {
  int64_t size = data.vocab();
  if (stage1_data) size = std::max(size, stage1_data->vocab());
  return {size};
}

CopyExperimentConfig parse_copy_experiment(const io::ConfigNode& root) {
  CopyExperimentConfig c;
  c.name = root.get_string("name", c.name);
  io::check_path_component(c.name, root.origin() + ": " + root.dotted("name"));  // <out>/<name>/seed_NN
  c.seeds = root.get_int("seeds", c.seeds);
  // Each seed is a run folder and a training run: 10000 is far past any
  // experiment (the paper uses 20) and is checked before anything is allocated.
  root.require(c.seeds >= 1 && c.seeds <= 10000, "seeds",
               fmt::format("expected from 1 to 10000 seeds, got {}", c.seeds));
  c.first_seed = root.get_int("first_seed", c.first_seed);
  root.require(c.first_seed >= 0, "first_seed", "expected a non-negative seed");
  c.data = data::read_copy_task_options(root.child("data"), "data", c.data);
  if (root.has("stage1_data"))
    c.stage1_data = data::read_copy_task_options(root.child("stage1_data"), "stage1_data", c.data);
  c.model = nn::read_copy_model_options(root.child("model"), c.model);
  c.model.vocab_size(c.vocabulary().total());
  c.train = train::read_train_config(root.child("train"), c.train, {/*uniform_steps=*/true, [&](const io::ConfigNode& t) {
    c.fresh_eval = t.get_choice("eval_set", c.fresh_eval ? "fresh" : "fixed", {"fresh", "fixed"}) == "fresh";
  }});
  root.require(!(c.stage1_data && c.train.trainer.uniform_steps() == 0), "stage1_data",
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

void CopyTask::begin_stage(train::Stage stage) {
  const bool uniform = stage == train::Stage::kUniform;
  model_->set_uniform_attention(uniform);
  current_data_ = (uniform && config_.stage1_data) ? *config_.stage1_data : config_.data;
}

data::CopyBatch CopyTask::training_batch(int64_t step) const {
  return data::make_copy_batch(current_data_, config_.vocabulary(), config_.train.batch_size, seed_, step, device_);
}

torch::Tensor CopyTask::training_loss(int64_t step) {
  auto batch = training_batch(step);
  // Copy sources are never padded: on a GPU the all-true mask would only
  // make the recurrence read the lengths on the host (forward_library).
  const torch::Tensor source_mask = device_.is_cpu() ? batch.source_mask : torch::Tensor();
  auto out = model_->forward(batch.source, source_mask, batch.target_in);
  return torch::nn::functional::nll_loss(out.log_probs.flatten(0, 1), batch.target_out.flatten());
}

data::CopyBatch CopyTask::evaluation_batch(int64_t step) const {
  const uint64_t index = config_.fresh_eval ? static_cast<uint64_t>(step) : kFixedEvaluationIndex;
  return data::make_copy_batch(config_.data, config_.vocabulary(), config_.train.eval_examples,
                               stream_seed(static_cast<uint64_t>(seed_), SeedStream::kCopyEvaluation), index, device_);
}

CopyEvaluation CopyTask::run_evaluation(int64_t step, bool with_ktiw) {
  torch::NoGradGuard no_grad;
  CopyEvaluation result;
  result.batch = evaluation_batch(step);
  const auto& batch = result.batch;
  const int64_t total = batch.source.size(0);
  std::vector<torch::Tensor> log_probs, attention, head_attention, beta;
  for (int64_t start = 0; start < total; start += config_.train.batch_size) {
    const int64_t n = std::min(config_.train.batch_size, total - start);
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

}  // namespace attn::tasks
