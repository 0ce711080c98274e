// The TrainingTask of the translation experiment (PAPER.md 2.2): trains one
// run of the translation model with the two-stage trainer (normal runs: K = 0;
// the uniform run: attention frozen uniform throughout). Batches are 16 pairs
// drawn by an epoch-wise shuffle (the last partial batch kept), and dropout's
// randomness is reseeded at every step: both are functions of (seed, step),
// so a resumed run replays exactly. Evaluation: teacher-forced token accuracy,
// loss and perplexity over the real target tokens of validation pairs.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "attn/nn/translation_model.h"
#include "attn/tasks/translation_config.h"
#include "attn/tasks/translation_data.h"
#include "attn/train/training_task.h"

namespace attn::tasks {

/// Teacher-forced scores over the real target tokens of some pairs.
struct TokenScores {
  double loss = 0;      ///< mean NLL per real target token
  double accuracy = 0;  ///< argmax = gold, over real target tokens
  int64_t tokens = 0;
  double perplexity() const;
};

/// Scores `model` (in eval mode, no gradient) on pairs[0 .. count).
TokenScores score_pairs(nn::TranslationModelImpl& model, const std::vector<data::EncodedPair>& pairs, int64_t count,
                        const torch::Device& device, int64_t batch_size = 64);

class TranslationTask : public train::TrainingTask {
 public:
  TranslationTask(const TranslationConfig& config, const TranslationData& data, int64_t seed,
                  const torch::Device& device);

  torch::nn::Module& model() override { return *model_; }
  void begin_stage(train::Stage stage) override { model_->set_uniform_attention(stage == train::Stage::kUniform); }
  torch::Tensor training_loss(int64_t step) override;
  train::MetricRow evaluate(int64_t step) override;
  std::vector<std::string> progress_metrics() const override { return {"val_acc", "val_ppl"}; }

  nn::TranslationModelImpl& translation_model() { return *model_; }
  /// Training pair indices of the batch of `step`.
  std::vector<int64_t> batch_indices(int64_t step) const;

 private:
  const TranslationConfig& config_;
  const TranslationData& data_;
  int64_t seed_;
  torch::Device device_;
  nn::TranslationModel model_{nullptr};
};

}  // namespace attn::tasks
