// The copy experiment (PAPER.md 4 / 5 "copy", "copy-uniform", and the
// curriculum of issue 2): its config, and the TrainingTask that trains one
// seed of it with the two-stage trainer.
//
// Config (YAML, every key optional, unknown keys rejected):
//   name: permutation40
//   seeds: 20            first_seed: 0
//   data:        {vocab: 40, length: 40, repeats: false}   # evaluated on
//   stage1_data: {vocab: 60, length: 40, repeats: false}   # optional: data
//                while attention is uniform (curriculum); default = data
//   model: {architecture: lstm|multihead_gru, embedding_dim: 256,
//           hidden_size: 256, bidirectional: false, heads: 1}
//   train: {steps: 200, batch_size: 128, learning_rate: 0.001,
//           uniform_steps: 0, eval_every: 10, eval_examples: 400,
//           eval_set: fresh|fixed, checkpoint_every: 50}
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "attn/data/copy_data.h"
#include "attn/io/config.h"
#include "attn/nn/copy_models.h"
#include "attn/train/train_config.h"
#include "attn/train/training_task.h"
#include "attn/train/two_stage_trainer.h"

namespace attn::tasks {

struct CopyExperimentConfig {
  std::string name = "copy";
  int64_t seeds = 1;
  int64_t first_seed = 0;
  data::CopyTaskOptions data;                       ///< stage-2 and evaluation data
  std::optional<data::CopyTaskOptions> stage1_data; ///< data while attention is uniform
  nn::CopyModelOptions model;
  train::TrainConfig train;  ///< the trainer's options, batch_size, eval_examples
  bool fresh_eval = true;  ///< new evaluation samples at every evaluation (else one fixed set)  ///< new evaluation samples at every evaluation (else one fixed set)
  std::string resolved_yaml;  ///< the config with every default filled in

  data::CopyVocabulary vocabulary() const;
};

/// Reads and checks a config; errors name the file and key.
CopyExperimentConfig load_copy_experiment(const std::filesystem::path& path);
CopyExperimentConfig parse_copy_experiment(const io::ConfigNode& root);

/// One evaluation's tensors, over the whole evaluation batch.
struct CopyEvaluation {
  data::CopyBatch batch;
  torch::Tensor log_probs;       ///< (B, T, V)
  torch::Tensor attention;       ///< (B, T, S), mean over heads
  torch::Tensor head_attention;  ///< (B, H, T, S)
  torch::Tensor beta;            ///< (B, T, S) KTIW probe; undefined unless asked for
};

/// Trains one seed: model initialised from `seed`, batches drawn from `seed`.
class CopyTask : public train::TrainingTask {
 public:
  CopyTask(const CopyExperimentConfig& config, int64_t seed, const torch::Device& device);
  /// Trains a model built elsewhere (e.g. a fixed base plus screened heads,
  /// paper Section 5.2); `seed` then only selects the training batches.
  CopyTask(const CopyExperimentConfig& config, int64_t seed, const torch::Device& device,
           std::shared_ptr<nn::Seq2SeqModel> model);

  torch::nn::Module& model() override { return *model_; }
  void begin_stage(train::Stage stage) override;
  torch::Tensor training_loss(int64_t step) override;
  train::MetricRow evaluate(int64_t step) override;
  std::vector<std::string> progress_metrics() const override {
    return {"token_acc", "attention_acc", "ktiw_acc"};
  }

  nn::Seq2SeqModel& seq2seq() { return *model_; }
  /// The training batch of `step` (data of the current stage): what
  /// training_loss and a batched set of runs (batched_copy.h) train on.
  data::CopyBatch training_batch(int64_t step) const;
  /// The evaluation batch used at `step` (fresh or fixed per config).
  data::CopyBatch evaluation_batch(int64_t step) const;
  /// Forward pass (and the KTIW probe if asked) over evaluation_batch(step),
  /// in slices of batch_size examples: a 400-example pass in one piece is
  /// ~25% slower here than in 128-example slices (activations leave cache).
  CopyEvaluation run_evaluation(int64_t step, bool with_ktiw);

 private:
  CopyExperimentConfig config_;
  int64_t seed_;
  torch::Device device_;
  std::shared_ptr<nn::Seq2SeqModel> model_;
  data::CopyTaskOptions current_data_;
};

}  // namespace attn::tasks
