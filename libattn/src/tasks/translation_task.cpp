// The translation experiment's TrainingTask (see attn/tasks/translation_task.h).
#include "attn/tasks/translation_task.h"

#include <torch/autograd.h>
#include <torch/nn/functional/loss.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "attn/core/error.h"
#include "attn/core/seed_streams.h"
#include "attn/core/seeded_random.h"
#include "attn/data/translation_batch.h"

namespace attn::tasks {

double TokenScores::perplexity() const { return std::exp(loss); }

TokenScores score_pairs(nn::TranslationModelImpl& model, const std::vector<data::EncodedPair>& pairs, int64_t count,
                        const torch::Device& device, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  double nll = 0;
  int64_t correct = 0, tokens = 0;
  for (const auto& rows : data::length_sorted_batches(pairs, count, batch_size)) {
    auto batch = data::make_translation_batch(pairs, rows, model.options().pad_id()).to(device);
    auto out = model.real_token_log_probs(batch.source, batch.source_mask, batch.target_in, batch.target_out);
    nll -= out.log_probs.gather(1, out.gold.unsqueeze(1)).sum().item<double>();
    correct += out.log_probs.argmax(1).eq(out.gold).sum().item<int64_t>();
    tokens += out.gold.size(0);
  }
  model.train(was_training);
  check(tokens > 0, "translation: no validation tokens to score");
  return {nll / static_cast<double>(tokens), static_cast<double>(correct) / static_cast<double>(tokens), tokens};
}

TranslationTask::TranslationTask(const TranslationConfig& config, const TranslationData& data, int64_t seed,
                                 const torch::Device& device)
    : config_(config), data_(data), seed_(seed), device_(device) {
  check(!data.train.empty(), "{}: no training pairs", config.name);
  check(!data.valid.empty(), "{}: no validation pairs", config.name);
  torch::manual_seed(static_cast<uint64_t>(seed));
  model_ = nn::TranslationModel(config.model_options(data.vocabulary_size()));
  model_->to(device);
}

std::vector<int64_t> TranslationTask::batch_indices(int64_t step) const {
  // Epoch-wise shuffles without replacement; the last batch of an epoch is
  // the remainder (PAPER.md 2.2: "last partial batch kept").
  const int64_t N = static_cast<int64_t>(data_.train.size());
  const int64_t B = config_.train.batch_size;
  const int64_t per_epoch = config_.steps_per_epoch(N);
  const int64_t epoch = step / per_epoch, slot = step % per_epoch;
  std::vector<int64_t> order(static_cast<size_t>(N));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::mt19937_64 rng(stream_seed(static_cast<uint64_t>(seed_) * kGoldenRatio64, SeedStream::kTranslationBatches,
                                  static_cast<uint64_t>(epoch)));
  shuffle_in_place(order, rng);
  return {order.begin() + slot * B, order.begin() + std::min(N, (slot + 1) * B)};
}

torch::Tensor TranslationTask::training_loss(int64_t step) {
  // Dropout draws from torch's generator: reseeded per step so that a resumed
  // run draws the same masks.
  torch::manual_seed(stream_seed(static_cast<uint64_t>(seed_) * kGoldenRatio64, SeedStream::kTranslationDropout,
                                 static_cast<uint64_t>(step)));
  auto batch = data::make_translation_batch(data_.train, batch_indices(step), model_->options().pad_id()).to(device_);
  auto out = model_->real_token_log_probs(batch.source, batch.source_mask, batch.target_in, batch.target_out);
  return torch::nn::functional::nll_loss(out.log_probs, out.gold);  // mean over real target tokens
}

train::MetricRow TranslationTask::evaluate(int64_t /*step*/) {
  auto scores = score_pairs(*model_, data_.valid, config_.train.eval_examples, device_);
  train::MetricRow row;
  row.set("val_loss", scores.loss);
  row.set("val_acc", scores.accuracy);
  row.set("val_ppl", scores.perplexity());
  return row;
}

}  // namespace attn::tasks
