// L2 logistic regression on bag-of-words features (see attn/probes/logistic_regression.h).
#include "attn/probes/logistic_regression.h"

#include <torch/optim/lbfgs.h>

#include <chrono>

#include "attn/core/error.h"
#include "attn/data/vocabulary.h"
#include "core/stopwatch.h"

namespace attn::probes {

namespace {

// The sparse design matrix as (token id, example, 1 / n_example) triples.
struct Features {
  torch::Tensor ids;       // (T) int64, every word token of every example
  torch::Tensor example;   // (T) int64, its example
  torch::Tensor weight;    // (T) float64, 1 / words in its example
  torch::Tensor sign;      // (N) float64, 2y - 1
  int64_t N = 0;
};

Features features(const std::vector<data::EncodedExample>& examples, int64_t vocab_size) {
  std::vector<int64_t> ids, example;
  std::vector<double> weight, sign;
  for (size_t i = 0; i < examples.size(); ++i) {
    const auto& e = examples[i];
    int64_t words = 0;
    for (int64_t id : e.ids)
      words += id != data::Vocabulary::kBos && id != data::Vocabulary::kEos && id != data::Vocabulary::kPad;
    for (int64_t id : e.ids) {
      if (id == data::Vocabulary::kBos || id == data::Vocabulary::kEos || id == data::Vocabulary::kPad) continue;
      check(id >= 0 && id < vocab_size, "logistic regression: id {} outside the vocabulary of {}", id, vocab_size);
      ids.push_back(id);
      example.push_back(static_cast<int64_t>(i));
      weight.push_back(1.0 / static_cast<double>(words));
    }
    sign.push_back(e.label == 1 ? 1.0 : -1.0);
  }
  Features f;
  f.ids = torch::tensor(ids, torch::kInt64);
  f.example = torch::tensor(example, torch::kInt64);
  f.weight = torch::tensor(weight, torch::kFloat64);
  f.sign = torch::tensor(sign, torch::kFloat64);
  f.N = static_cast<int64_t>(examples.size());
  return f;
}

// x_i . w for all i: scatter-add of w[token] / n_i.  (N)
torch::Tensor product(const Features& f, const torch::Tensor& w) {
  return torch::zeros({f.N}, w.options()).index_add(0, f.example, w.index({f.ids}) * f.weight);
}

}  // namespace

LogisticFit fit_logistic_regression(const std::vector<data::EncodedExample>& examples, int64_t vocab_size,
                                    double c, int64_t max_iterations) {
  check(!examples.empty(), "logistic regression: no training examples");
  check(c > 0, "logistic regression: expected C > 0, got {}", c);
  const auto f = features(examples, vocab_size);
  auto w = torch::zeros({vocab_size}, torch::kFloat64).requires_grad_(true);  // (V)
  auto b = torch::zeros({1}, torch::kFloat64).requires_grad_(true);
  // The objective divided by C N, so its scale does not depend on C or N.
  const double scale = 1.0 / (c * static_cast<double>(f.N));
  auto objective = [&] {
    auto margins = f.sign * (product(f, w) + b);                        // (N)
    return torch::softplus(-margins).mean() + 0.5 * scale * w.pow(2).sum();
  };
  torch::optim::LBFGS optimizer(std::vector<torch::Tensor>{w, b}, torch::optim::LBFGSOptions(1.0)
                                            .max_iter(max_iterations)
                                            .history_size(20)
                                            .tolerance_grad(1e-10)
                                            .tolerance_change(1e-14)
                                            .line_search_fn("strong_wolfe"));
  optimizer.step([&] {
    optimizer.zero_grad();
    auto loss = objective();
    loss.backward();
    return loss;
  });
  LogisticFit fit;
  fit.c = c;
  fit.weights = w.detach();
  fit.bias = b.item<double>();
  torch::NoGradGuard no_grad;
  fit.objective = objective().item<double>() / scale;
  return fit;
}

torch::Tensor logistic_decision(const LogisticFit& fit, const std::vector<data::EncodedExample>& examples) {
  const auto f = features(examples, fit.weights.size(0));
  return product(f, fit.weights) + fit.bias;  // (N)
}

LogisticSelection select_logistic_regression(const std::vector<data::EncodedExample>& train,
                                             const std::vector<data::EncodedExample>& validation,
                                             int64_t vocab_size, const LogisticRegressionOptions& options) {
  check(!options.grid().empty(), "logistic regression: the regularisation grid is empty");
  check(!validation.empty(), "logistic regression: no validation examples");
  const auto start_time = std::chrono::steady_clock::now();
  torch::Tensor labels = torch::empty({static_cast<int64_t>(validation.size())}, torch::kFloat64);
  for (size_t i = 0; i < validation.size(); ++i) labels[static_cast<int64_t>(i)] = validation[i].label;
  LogisticSelection s;
  double best = -1;
  for (double c : options.grid()) {
    auto fit = fit_logistic_regression(train, vocab_size, c, options.max_iterations());
    const double accuracy =
        logistic_decision(fit, validation).ge(0).to(torch::kFloat64).eq(labels).to(torch::kFloat64).mean().item<double>();
    s.grid.push_back(c);
    s.validation_accuracy.push_back(accuracy);
    if (accuracy > best) {  // strict: ties keep the smaller C (stronger regularisation)
      best = accuracy;
      s.best = fit;
    }
  }
  s.seconds = seconds_since(start_time);
  return s;
}

}  // namespace attn::probes
