// The attention classifier (PAPER.md 2.3) and its probes (PAPER.md 3): shapes,
// masking and uniform mode; Delta against central finite differences in
// double precision (no autograd in the reference); the logistic regression
// against a solution worked out by hand; the bag-of-embeddings word scores;
// chunked readouts restore the input order.
#include <catch2/catch.hpp>

#include <cmath>

#include "attn/core/error.h"
#include "attn/data/keyword_task.h"
#include "attn/nn/attention_classifier.h"
#include "attn/probes/bag_of_embeddings.h"
#include "attn/probes/classifier_ktiw.h"
#include "attn/probes/gradient_influence.h"
#include "attn/probes/logistic_regression.h"

namespace {

using attn::data::EncodedExample;

attn::nn::AttentionClassifier tiny_classifier(uint64_t seed, bool uniform = false) {
  torch::manual_seed(seed);
  return attn::nn::AttentionClassifier(
      attn::nn::AttentionClassifierOptions(12).embedding_dim(6).hidden_size(5).attention_hidden(4).uniform(uniform));
}

std::vector<EncodedExample> tiny_examples() {
  return {{{1, 4, 5, 6, 7, 2}, 1}, {{1, 8, 2}, 0}, {{1, 9, 10, 11, 2}, 1}, {{1, 4, 4, 2}, 0}};
}

}  // namespace

TEST_CASE("attention classifier: shapes, masking and registered parts", "[classify]") {
  auto model = tiny_classifier(1);
  auto batch = attn::data::make_batch(tiny_examples());  // (4, 6)
  auto out = model->forward(batch.ids, batch.mask);
  CHECK(out.logits.sizes() == torch::IntArrayRef({4}));
  CHECK(out.alpha.sizes() == torch::IntArrayRef({4, 6}));
  CHECK(out.beta.sizes() == torch::IntArrayRef({4, 6}));
  CHECK(out.states.sizes() == torch::IntArrayRef({4, 6, 10}));
  CHECK(torch::allclose(out.alpha.sum(-1), torch::ones({4})));
  auto padding = batch.mask.logical_not();
  CHECK(out.alpha.masked_select(padding).abs().max().item<float>() < 1e-12);
  CHECK(out.beta.masked_select(padding).abs().max().item<float>() == 0.0f);
  CHECK(torch::allclose(out.logits, (out.alpha * out.beta).sum(-1)));

  // What sits in the padding does not matter.
  auto other_ids = batch.ids.masked_fill(padding, 11);
  CHECK(torch::allclose(model->forward(other_ids, batch.mask).logits, out.logits, 1e-6, 1e-6));
  // A row alone gives what it gives in the batch (no leakage between rows).
  auto single = attn::data::make_batch({tiny_examples()[1]});
  CHECK(std::abs(model->forward(single.ids, single.mask).logits.item<float>() - out.logits[1].item<float>()) < 1e-5);

  std::vector<std::string> names;
  for (const auto& child : model->named_children()) names.push_back(child.key());
  CHECK(names == std::vector<std::string>{"embedding", "encoder_forward", "encoder_backward", "attention_hidden",
                                          "attention_output", "score"});
}

TEST_CASE("attention classifier: uniform mode gives 1/n and no scorer gradient", "[classify]") {
  auto model = tiny_classifier(2, true);
  auto batch = attn::data::make_batch(tiny_examples());
  auto out = model->forward(batch.ids, batch.mask);
  auto expected = batch.mask.to(torch::kFloat32) / batch.lengths.to(torch::kFloat32).unsqueeze(-1);
  CHECK(torch::allclose(out.alpha, expected));
  attn::nn::AttentionClassifierImpl::loss(out, batch.labels).backward();
  for (auto& p : model->attention_hidden->parameters()) CHECK(!p.grad().defined());
  for (auto& p : model->attention_output->parameters()) CHECK(!p.grad().defined());
  CHECK(model->score->weight.grad().defined());
  CHECK(model->embedding->weight.grad().abs().sum().item<float>() > 0);
  model->set_uniform(false);
  CHECK(!torch::allclose(model->forward(batch.ids, batch.mask).alpha, expected));
}

TEST_CASE("KTIW beta is signed by the gold label", "[classify]") {
  auto model = tiny_classifier(3);
  auto batch = attn::data::make_batch(tiny_examples());
  auto out = model->forward(batch.ids, batch.mask);
  auto beta = attn::probes::classifier_ktiw_beta(out, batch.labels);
  CHECK(torch::allclose(beta[0], out.beta[0]));
  CHECK(torch::allclose(beta[1], -out.beta[1]));
  // The chunked readout puts rows back in input order.
  auto readout = attn::probes::read_classifier(*model, tiny_examples(), 3);
  model->eval();
  auto direct = model->forward(batch.ids, batch.mask);
  CHECK(torch::allclose(readout.alpha, direct.alpha, 1e-5, 1e-6));
  CHECK(torch::allclose(readout.probability, torch::sigmoid(direct.logits), 1e-5, 1e-6));
  CHECK(readout.mask.equal(batch.mask));
}

TEST_CASE("Delta equals central finite differences of log p(gold) in the gates", "[classify]") {
  auto model = tiny_classifier(4);
  model->to(torch::kFloat64);
  model->eval();
  const auto examples = tiny_examples();
  auto delta = attn::probes::gradient_influence(*model, examples, 2);  // (4, 6), chunks of 2
  auto batch = attn::data::make_batch(examples);
  torch::NoGradGuard no_grad;
  const double h = 1e-6;
  for (int64_t i = 0; i < 4; ++i) {
    for (int64_t l = 0; l < batch.lengths[i].item<int64_t>(); ++l) {
      auto plus = torch::ones({4, 6}, torch::kFloat64), minus = torch::ones({4, 6}, torch::kFloat64);
      plus[i][l] = 1 + h;
      minus[i][l] = 1 - h;
      auto f = [&](const torch::Tensor& gates) {
        return attn::nn::AttentionClassifierImpl::gold_log_prob(model->forward(batch.ids, batch.mask, gates),
                                                                batch.labels)[i].item<double>();
      };
      const double numeric = (f(plus) - f(minus)) / (2 * h);
      CHECK(delta[i][l].item<double>() == Approx(numeric).margin(1e-7).epsilon(1e-5));
    }
    for (int64_t l = batch.lengths[i].item<int64_t>(); l < 6; ++l) CHECK(delta[i][l].item<double>() == 0.0);
  }
}

TEST_CASE("logistic regression matches solutions worked out by hand", "[classify]") {
  // Word a (id 4) in 3 positive and 1 negative one-word texts, word b (id 5)
  // the other way round. By symmetry b = 0 and w_a = -w_b = w, where the
  // stationarity condition of 0.5 |w|^2 + C sum log(1 + e^-margin) is
  //     w = C (3 sigma(-w) - sigma(w)),
  // solved here by bisection.
  std::vector<EncodedExample> examples;
  for (int k = 0; k < 3; ++k) examples.push_back({{1, 4, 2}, 1});
  examples.push_back({{1, 4, 2}, 0});
  for (int k = 0; k < 3; ++k) examples.push_back({{1, 5, 2}, 0});
  examples.push_back({{1, 5, 2}, 1});
  auto sigma = [](double z) { return 1 / (1 + std::exp(-z)); };
  for (double c : {0.1, 1.0, 1e4}) {
    double lo = 0, hi = 10;
    for (int it = 0; it < 200; ++it) {
      const double mid = (lo + hi) / 2;
      (mid - c * (3 * sigma(-mid) - sigma(mid)) < 0 ? lo : hi) = mid;
    }
    auto fit = attn::probes::fit_logistic_regression(examples, 6, c, 500);
    CHECK(fit.weights[4].item<double>() == Approx(lo).epsilon(1e-4));
    CHECK(fit.weights[5].item<double>() == Approx(-lo).epsilon(1e-4));
    CHECK(fit.bias == Approx(0).margin(1e-5));
    CHECK(fit.weights[0].item<double>() == Approx(0).margin(1e-9));  // never seen
  }
  // Large C approaches the unregularised optimum w = log 3.
  CHECK(attn::probes::fit_logistic_regression(examples, 6, 1e4).weights[4].item<double>() ==
        Approx(std::log(3.0)).epsilon(1e-3));
  // A length-normalised count: "a a b" has x_a = 2/3, x_b = 1/3.
  auto fit = attn::probes::fit_logistic_regression(examples, 6, 1.0);
  auto z = attn::probes::logistic_decision(fit, {{{1, 4, 4, 5, 2}, 1}});
  CHECK(z[0].item<double>() == Approx(fit.weights[4].item<double>() * 2 / 3 + fit.weights[5].item<double>() / 3 + fit.bias));
  // Selection keeps the most accurate C; ties keep the smaller.
  auto selection = attn::probes::select_logistic_regression(examples, examples, 6,
                                                            attn::probes::LogisticRegressionOptions().grid({0.1, 1.0}));
  CHECK(selection.best.c == 0.1);
  CHECK(selection.validation_accuracy == std::vector<double>{0.75, 0.75});
  CHECK_THROWS_AS(attn::probes::fit_logistic_regression(examples, 6, 0.0), attn::Error);
  CHECK_THROWS_AS(attn::probes::fit_logistic_regression({}, 6, 1.0), attn::Error);
}

TEST_CASE("bag of embeddings scores keywords highest and beta^px is signed", "[classify]") {
  const auto options = attn::data::KeywordTaskOptions().vocab_size(30).num_keywords(2).min_length(4).max_length(8);
  auto train = attn::data::generate_keyword_data(600, options, 1).examples;
  auto validation = attn::data::generate_keyword_data(100, options, 2).examples;
  auto fit = attn::probes::train_bag_of_embeddings(
      train, validation, 34, attn::probes::BagOfEmbeddingsOptions().embedding_dim(8).epochs(8).learning_rate(0.02));
  REQUIRE(fit.word_scores.size(0) == 34);
  CHECK(fit.best_epoch >= 1);
  CHECK(fit.validation_accuracy > 0.9);
  const double lowest_keyword = std::min(fit.word_scores[4].item<double>(), fit.word_scores[5].item<double>());
  CHECK(lowest_keyword > fit.word_scores.slice(0, 6).max().item<double>());
  // Manual check of E . w.
  auto expected = torch::matmul(fit.model->embedding->weight, fit.model->output->weight.squeeze(0));
  CHECK(torch::allclose(fit.word_scores, expected));
  std::vector<EncodedExample> two{{{1, 4, 7, 2}, 1}, {{1, 4, 2}, 0}};
  auto signed_scores = attn::probes::signed_word_scores(fit.word_scores, two);  // (2, 4)
  CHECK(signed_scores[0][1].item<float>() == Approx(fit.word_scores[4].item<float>()));
  CHECK(signed_scores[1][1].item<float>() == Approx(-fit.word_scores[4].item<float>()));
  CHECK(signed_scores[0][0].item<float>() == 0.0f);  // <bos>
  CHECK(signed_scores[1][2].item<float>() == 0.0f);  // <eos>
  CHECK(signed_scores[1][3].item<float>() == 0.0f);  // padding
}
