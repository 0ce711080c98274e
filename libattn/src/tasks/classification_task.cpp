// The classification experiment's TrainingTask (see
// attn/tasks/classification_task.h).
#include "attn/tasks/classification_task.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "attn/core/error.h"
#include "attn/core/host_to_device.h"
#include "attn/core/seed_streams.h"
#include "attn/core/seeded_random.h"
#include "attn/data/text_batch.h"
#include "attn/probes/classifier_ktiw.h"

namespace attn::tasks {

ClassificationTask::ClassificationTask(const ClassificationConfig& config, const ClassificationData& data,
                                       int64_t seed, const torch::Device& device)
    : config_(config), data_(data), seed_(seed), device_(device) {
  check(!data.train.empty(), "classification: no training examples");
  torch::manual_seed(static_cast<uint64_t>(seed));
  model_ = nn::AttentionClassifier(config.model_options(data.vocab.size()));
  model_->to(device);
}

int64_t ClassificationTask::steps_per_epoch() const {
  const int64_t N = static_cast<int64_t>(data_.train.size());
  return N / std::min(config_.train.batch_size, N);
}

std::vector<int64_t> ClassificationTask::batch_indices(int64_t step) const {
  // Epoch-wise shuffles without replacement; a batch is a pure function of
  // (seed, step). The last incomplete batch of an epoch is dropped.
  const int64_t N = static_cast<int64_t>(data_.train.size());
  const int64_t B = std::min(config_.train.batch_size, N);
  const int64_t per_epoch = steps_per_epoch();
  const int64_t epoch = step / per_epoch, slot = step % per_epoch;
  std::vector<int64_t> order(static_cast<size_t>(N));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::mt19937_64 rng(stream_seed(static_cast<uint64_t>(seed_) * kGoldenRatio64, SeedStream::kClassificationBatches,
                                  static_cast<uint64_t>(epoch)));
  shuffle_in_place(order, rng);
  return {order.begin() + slot * B, order.begin() + (slot + 1) * B};
}

torch::Tensor ClassificationTask::training_loss(int64_t step) {
  auto batch = data::make_batch(data_.train, batch_indices(step));
  auto out = model_->forward(to_device(batch.ids, device_), to_device(batch.mask, device_));
  return nn::AttentionClassifierImpl::loss(out, to_device(batch.labels, device_));
}

train::MetricRow ClassificationTask::evaluate(int64_t step) {
  const size_t n = std::min<size_t>(static_cast<size_t>(config_.train.eval_examples), data_.validation.size());
  std::vector<data::EncodedExample> subset(data_.validation.begin(), data_.validation.begin() + n);
  auto readout = probes::read_classifier(*model_, subset, config_.probes.chunk);
  train::MetricRow row;
  row.set("val_loss", readout.loss);
  row.set("val_acc", readout.accuracy);
  return row;
}

}  // namespace attn::tasks
