// The batched KTIW probe equals, position by position, the model's readout
// run with attention one-hot on that position (PAPER.md 3), computed through
// the unsplit output layer W_c [d ; c] as a second, independent route.
#include <catch2/catch.hpp>

#include "attn/data/copy_data.h"
#include "attn/metrics/copy_accuracy.h"
#include "attn/nn/copy_models.h"
#include "attn/probes/ktiw.h"

using attn::nn::CopyModelOptions;

namespace {
void check_probe(const CopyModelOptions& options) {
  torch::manual_seed(10);
  auto model = attn::nn::make_copy_model(options);
  model->eval();
  attn::data::CopyTaskOptions task;
  task.vocab(9).length(5);
  auto batch = attn::data::make_copy_batch(task, {9}, 3, 7, 0);
  torch::NoGradGuard no_grad;
  auto out = model->forward(batch.source, batch.source_mask, batch.target_in);
  auto beta = attn::probes::ktiw_beta(*model, out, batch.target_out, batch.source_mask);
  REQUIRE(beta.sizes() == torch::IntArrayRef({3, 6, 6}));

  auto& attention = model->attention();
  auto& readout = model->readout();
  const int64_t H = attention.options().heads();
  // W_c as one matrix on [d ; c] (2.1) and the per-head context loop.
  auto combine = torch::cat({readout.state_in->weight, readout.context_in->weight}, 1);
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t l = 0; l < 6; ++l) {
      auto h = out.encoder_states[b][l];
      auto context = torch::zeros({attention.options().context_size()});
      for (int64_t k = 0; k < H; ++k) {
        auto c = torch::matmul(attention.context_weight[k], h);
        if (attention.context_bias.defined()) c = c + attention.context_bias[k];
        context += c / H;
      }
      for (int64_t t = 0; t < 6; ++t) {
        auto pre = torch::matmul(combine, torch::cat({out.decoder_states[b][t], context}));
        if (readout.state_in->bias.defined()) pre = pre + readout.state_in->bias;
        auto logits = torch::matmul(readout.output->weight, pre.tanh());
        if (readout.output->bias.defined()) logits = logits + readout.output->bias;
        const float expected = torch::log_softmax(logits, 0)[batch.target_out[b][t].item<int64_t>()].item<float>();
        CHECK(beta[b][t][l].item<float>() == Approx(expected).margin(1e-5));
      }
    }
}
}  // namespace

TEST_CASE("KTIW beta equals a one-position forward pass (LSTM, single head)", "[probes]") {
  check_probe(CopyModelOptions().vocab_size(11).embedding_dim(8).hidden_size(12));
}

TEST_CASE("KTIW beta equals a one-position forward pass (GRU, 3 heads)", "[probes]") {
  check_probe(CopyModelOptions().architecture(attn::nn::Architecture::kMultiheadGru).heads(3).vocab_size(11).embedding_dim(8).hidden_size(12));
}

TEST_CASE("alignment and token accuracy count argmax hits", "[metrics]") {
  // scores (1, 3, 3): argmax per step = 0, 2, 2; gold = 0, 1, 2 -> 2/3.
  auto scores = torch::tensor({{{0.9, 0.1, 0.0}, {0.1, 0.2, 0.7}, {0.0, 0.3, 0.7}}});
  auto gold = torch::tensor({{0, 1, 2}}, torch::kInt64);
  CHECK(attn::metrics::alignment_accuracy(scores, gold) == Approx(2.0 / 3));
  auto mask = torch::tensor({{true, true, false}});
  CHECK(attn::metrics::alignment_accuracy(scores, gold, mask) == Approx(0.5));
  CHECK(attn::metrics::token_accuracy(scores.log(), gold) == Approx(2.0 / 3));
  CHECK(attn::metrics::mean_nll(scores.log(), gold) == Approx(-(std::log(0.9) + std::log(0.2) + std::log(0.7)) / 3));
}

TEST_CASE("fused CPU pairwise readout equals the LibTorch route in double precision", "[probes]") {
  for (auto activation : {attn::nn::Activation::kTanh, attn::nn::Activation::kReLU}) {
    torch::manual_seed(3);
    attn::nn::Readout readout(attn::nn::ReadoutOptions(24, 20, 64, 17).activation(activation));
    auto states = 2 * torch::randn({3, 13, 24});  // wide enough to reach tanh's flat tails
    auto contexts = 2 * torch::randn({3, 11, 20});
    auto gold = torch::randint(0, 17, {3, 13}, torch::kLong);
    auto fused = readout->pairwise_gold_log_probs(states, contexts, gold);  // float: fused kernel
    REQUIRE(fused.sizes() == torch::IntArrayRef({3, 13, 11}));
    readout->to(torch::kDouble);
    torch::NoGradGuard no_grad;
    auto log_probs = torch::log_softmax(readout->pairwise_logits(states.to(torch::kDouble), contexts.to(torch::kDouble)), -1);
    auto expected = log_probs.gather(-1, gold.unsqueeze(-1).unsqueeze(-1).expand({3, 13, 11, 1})).squeeze(-1);
    CHECK(torch::allclose(fused.to(torch::kDouble), expected, /*rtol=*/1e-5, /*atol=*/1e-5));
    // The generic route inside pairwise_gold_log_probs (used off-CPU) agrees too.
    auto generic = readout->pairwise_gold_log_probs(states.to(torch::kDouble), contexts.to(torch::kDouble), gold);
    CHECK(torch::allclose(generic, expected, 1e-12, 1e-12));
  }
}
