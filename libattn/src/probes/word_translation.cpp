// The word-translation probe beta^px (see attn/probes/word_translation.h).
#include "attn/probes/word_translation.h"

#include <torch/autograd.h>
#include <torch/optim/adam.h>

#include <chrono>
#include <limits>
#include <numeric>
#include <random>

#include "attn/core/error.h"
#include "attn/core/seed_streams.h"
#include "attn/core/seeded_random.h"
#include "core/stopwatch.h"

namespace attn::probes {

WordTranslatorImpl::WordTranslatorImpl(int64_t vocab_size, int64_t embedding_dim) {
  embedding = register_module("embedding", torch::nn::Embedding(vocab_size, embedding_dim));
  output = register_module("output", torch::nn::Linear(embedding_dim, vocab_size));
}

torch::Tensor WordTranslatorImpl::forward(const torch::Tensor& source, const torch::Tensor& source_mask) {
  auto mask = source_mask.to(torch::kFloat).unsqueeze(-1);                            // (B, S, 1)
  auto mean = (embedding(source) * mask).sum(1) / mask.sum(1).clamp_min(1.0);          // (B, D)
  return torch::log_softmax(output(mean), -1);                                         // (B, V)
}

torch::Tensor WordTranslatorImpl::loss(const data::TranslationBatch& batch, int64_t pad_id) {
  auto log_probs = forward(batch.source, batch.source_mask);                // (B, V)
  auto gathered = log_probs.gather(1, batch.target_out);                    // (B, T)
  return -(gathered * batch.target_out.ne(pad_id).to(torch::kFloat)).sum();
}

torch::Tensor WordTranslatorImpl::pair_scores(const torch::Tensor& source, const torch::Tensor& target_out) {
  torch::NoGradGuard no_grad;
  auto table = torch::log_softmax(torch::matmul(embedding(source), output->weight.t()), -1);  // (B, S, V)
  const int64_t T = target_out.size(1), S = source.size(1);
  auto index = target_out.unsqueeze(1).expand({-1, S, T});                                    // (B, S, T)
  return table.gather(2, index).transpose(1, 2).contiguous();                                 // (B, T, S)
}

namespace {

double validation_loss(WordTranslatorImpl& model, const std::vector<data::EncodedPair>& pairs, int64_t count) {
  torch::NoGradGuard no_grad;
  double total = 0;
  int64_t tokens = 0;
  for (const auto& rows : data::length_sorted_batches(pairs, count, 256)) {
    auto batch = data::make_translation_batch(pairs, rows);
    total += model.loss(batch).item<double>();
    tokens += batch.target_out.ne(0).sum().item<int64_t>();
  }
  return total / static_cast<double>(std::max<int64_t>(tokens, 1));
}

}  // namespace

WordTranslatorFit train_word_translator(const std::vector<data::EncodedPair>& train,
                                        const std::vector<data::EncodedPair>& validation, int64_t vocab_size,
                                        const WordTranslatorOptions& options) {
  check(!train.empty() && !validation.empty(), "word translator: expected training and validation pairs");
  check(options.epochs() >= 1 && options.batch_size() >= 1 && options.learning_rate() > 0,
        "word translator: expected epochs >= 1, batch_size >= 1, learning_rate > 0");
  const auto start_time = std::chrono::steady_clock::now();
  const int64_t validation_count =
      options.validation_pairs() > 0 ? options.validation_pairs() : static_cast<int64_t>(validation.size());
  torch::manual_seed(options.seed());
  WordTranslatorFit fit;
  WordTranslator model(vocab_size, options.embedding_dim());
  fit.model = WordTranslator(vocab_size, options.embedding_dim());
  auto keep = [&] {
    torch::NoGradGuard no_grad;
    auto from = model->parameters(), to = fit.model->parameters();
    for (size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
  };
  model->eval();
  double best = validation_loss(*model, validation, validation_count);
  fit.validation_loss.push_back(best);
  keep();
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(options.learning_rate()));
  std::mt19937_64 rng(stream_seed(options.seed(), SeedStream::kWordTranslator));
  std::vector<int64_t> order(train.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  for (int64_t epoch = 1; epoch <= options.epochs(); ++epoch) {
    shuffle_in_place(order, rng);
    model->train();
    for (size_t start = 0; start < order.size(); start += static_cast<size_t>(options.batch_size())) {
      std::vector<int64_t> rows(order.begin() + start,
                                order.begin() + std::min(order.size(), start + options.batch_size()));
      optimizer.zero_grad();
      model->loss(data::make_translation_batch(train, rows)).backward();
      optimizer.step();
    }
    model->eval();
    const double loss = validation_loss(*model, validation, validation_count);
    fit.validation_loss.push_back(loss);
    if (loss < best) {
      best = loss;
      fit.best_epoch = epoch;
      keep();
    }
  }
  fit.model->eval();
  fit.seconds = seconds_since(start_time);
  return fit;
}

}  // namespace attn::probes
