// Bag-of-embeddings baseline beta^px (see attn/probes/bag_of_embeddings.h).
#include "attn/probes/bag_of_embeddings.h"

#include <torch/optim/adam.h>

#include <chrono>
#include <limits>
#include <numeric>
#include <random>

#include "attn/core/error.h"
#include "attn/core/seed_streams.h"
#include "attn/core/seeded_random.h"
#include "attn/data/vocabulary.h"
#include "core/stopwatch.h"

namespace attn::probes {

namespace {

// (B, L) true at word positions of a padded batch.
torch::Tensor batch_word_mask(const data::TextBatch& batch) {
  return batch.mask & batch.ids.ne(data::Vocabulary::kBos) & batch.ids.ne(data::Vocabulary::kEos);
}

struct Evaluation {
  double loss = 0, accuracy = 0;
};

Evaluation evaluate(BagOfEmbeddingsImpl& model, const std::vector<data::EncodedExample>& examples, int64_t chunk) {
  torch::NoGradGuard no_grad;
  double loss = 0, correct = 0;
  std::vector<int64_t> indices;
  for (int64_t start = 0; start < static_cast<int64_t>(examples.size()); start += chunk) {
    indices.clear();
    for (int64_t i = start; i < std::min<int64_t>(start + chunk, examples.size()); ++i) indices.push_back(i);
    auto batch = data::make_batch(examples, indices);
    auto logits = model.forward(batch.ids, batch_word_mask(batch));  // (B)
    loss += torch::binary_cross_entropy_with_logits(logits, batch.labels, {}, {}, at::Reduction::Sum).item<double>();
    correct += logits.ge(0).to(batch.labels.dtype()).eq(batch.labels).sum().item<double>();
  }
  const double n = static_cast<double>(examples.size());
  return {loss / n, correct / n};
}

}  // namespace

BagOfEmbeddingsImpl::BagOfEmbeddingsImpl(int64_t vocab_size, int64_t embedding_dim) {
  check(vocab_size > 0 && embedding_dim > 0, "bag of embeddings: expected positive sizes, got {} x {}", vocab_size,
        embedding_dim);
  embedding = register_module("embedding", torch::nn::Embedding(vocab_size, embedding_dim));
  output = register_module("output", torch::nn::Linear(embedding_dim, 1));
}

torch::Tensor BagOfEmbeddingsImpl::forward(const torch::Tensor& ids, const torch::Tensor& word_mask) {
  auto m = word_mask.unsqueeze(-1).to(embedding->weight.dtype());  // (B, L, 1)
  auto summed = (embedding(ids) * m).sum(1);                         // (B, D)
  auto mean = summed / m.sum(1).clamp_min(1.0);                      // (B, D)
  return output(mean).squeeze(-1);                                   // (B)
}

torch::Tensor BagOfEmbeddingsImpl::word_scores() const {
  torch::NoGradGuard no_grad;
  return torch::matmul(embedding->weight, output->weight.squeeze(0));  // (V)
}

BagOfEmbeddingsFit train_bag_of_embeddings(const std::vector<data::EncodedExample>& train,
                                           const std::vector<data::EncodedExample>& validation,
                                           int64_t vocab_size, const BagOfEmbeddingsOptions& options) {
  check(!train.empty() && !validation.empty(), "bag of embeddings: expected training and validation examples");
  check(options.epochs() >= 1 && options.batch_size() >= 1 && options.learning_rate() > 0,
        "bag of embeddings: expected epochs >= 1, batch_size >= 1, learning_rate > 0");
  const auto start_time = std::chrono::steady_clock::now();
  torch::manual_seed(options.seed());
  BagOfEmbeddingsFit fit;
  BagOfEmbeddings model(vocab_size, options.embedding_dim());
  fit.model = BagOfEmbeddings(vocab_size, options.embedding_dim());
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(options.learning_rate()));
  std::mt19937_64 rng(stream_seed(options.seed(), SeedStream::kBagOfEmbeddings));
  std::vector<int64_t> order(train.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  double best = std::numeric_limits<double>::infinity();
  for (int64_t epoch = 1; epoch <= options.epochs(); ++epoch) {
    shuffle_in_place(order, rng);
    model->train();
    for (size_t start = 0; start < order.size(); start += static_cast<size_t>(options.batch_size())) {
      std::vector<int64_t> indices(order.begin() + start,
                                   order.begin() + std::min(order.size(), start + options.batch_size()));
      auto batch = data::make_batch(train, indices);
      optimizer.zero_grad();
      auto logits = model->forward(batch.ids, batch_word_mask(batch));
      torch::binary_cross_entropy_with_logits(logits, batch.labels).backward();
      optimizer.step();
    }
    model->eval();
    const auto eval = evaluate(*model, validation, 256);
    fit.validation_loss.push_back(eval.loss);
    if (eval.loss < best) {
      best = eval.loss;
      fit.best_epoch = epoch;
      fit.validation_accuracy = eval.accuracy;
      torch::NoGradGuard no_grad;
      auto from = model->parameters(), to = fit.model->parameters();
      for (size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
    }
  }
  fit.model->eval();
  fit.word_scores = fit.model->word_scores();
  fit.seconds = seconds_since(start_time);
  return fit;
}

}  // namespace attn::probes
