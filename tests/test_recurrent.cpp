// The hoisted-input recurrent layers equal LibTorch's own LSTM/GRU (values and
// final states), the embedding-table shortcut is exact, and padding is masked.
#include <catch2/catch.hpp>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/rnn.h>

#include "attn/nn/recurrent.h"

using attn::nn::CellKind;
using attn::nn::RecurrentLayer;
using attn::nn::RecurrentLayerOptions;

namespace {
template <typename Reference>
void copy_weights(RecurrentLayer& ours, Reference& reference) {
  torch::NoGradGuard no_grad;
  ours->weight_ih.copy_(reference->named_parameters()["weight_ih_l0"]);
  ours->weight_hh.copy_(reference->named_parameters()["weight_hh_l0"]);
  ours->bias_ih.copy_(reference->named_parameters()["bias_ih_l0"]);
  ours->bias_hh.copy_(reference->named_parameters()["bias_hh_l0"]);
}
}  // namespace

TEST_CASE("LSTM layer matches torch::nn::LSTM", "[nn][recurrent]") {
  torch::manual_seed(1);
  torch::nn::LSTM reference(torch::nn::LSTMOptions(5, 7).batch_first(true));
  RecurrentLayer ours(RecurrentLayerOptions(5, 7));
  copy_weights(ours, reference);
  auto x = torch::randn({3, 6, 5});
  auto h0 = torch::randn({1, 3, 7}), c0 = torch::randn({1, 3, 7});
  auto [expected, state] = reference->forward(x, std::make_tuple(h0, c0));
  auto got = ours->forward(ours->input_gates(x), {}, {h0[0], c0[0]});
  REQUIRE(got.outputs.sizes() == expected.sizes());
  CHECK(torch::allclose(got.outputs, expected, 1e-5, 1e-6));
  CHECK(torch::allclose(got.final.h, std::get<0>(state)[0], 1e-5, 1e-6));
  CHECK(torch::allclose(got.final.c, std::get<1>(state)[0], 1e-5, 1e-6));
}

TEST_CASE("GRU layer matches torch::nn::GRU", "[nn][recurrent]") {
  torch::manual_seed(2);
  torch::nn::GRU reference(torch::nn::GRUOptions(4, 6).batch_first(true));
  RecurrentLayer ours(RecurrentLayerOptions(4, 6).cell(CellKind::kGRU));
  copy_weights(ours, reference);
  auto x = torch::randn({2, 5, 4});
  auto h0 = torch::randn({1, 2, 6});
  auto [expected, h_n] = reference->forward(x, h0);
  auto got = ours->forward(ours->input_gates(x), {}, {h0[0], {}});
  CHECK(torch::allclose(got.outputs, expected, 1e-5, 1e-6));
  CHECK(torch::allclose(got.final.h, h_n[0], 1e-5, 1e-6));
}

TEST_CASE("input gates through the embedding table equal gates of the embeddings", "[nn][recurrent]") {
  torch::manual_seed(3);
  torch::nn::Embedding embedding(11, 8);
  RecurrentLayer layer(RecurrentLayerOptions(8, 4));
  auto tokens = torch::randint(0, 11, {3, 9}, torch::kInt64);
  auto direct = layer->input_gates(embedding(tokens));
  auto shortcut = layer->input_gates_from_embedding(embedding->weight, tokens);
  CHECK(torch::allclose(direct, shortcut, 1e-5, 1e-6));
}

TEST_CASE("reverse direction over right padding equals running the unpadded sequence", "[nn][recurrent]") {
  torch::manual_seed(4);
  RecurrentLayer backward(RecurrentLayerOptions(3, 5).reverse(true));
  auto x = torch::randn({1, 6, 3});
  auto padded = torch::cat({x.narrow(1, 0, 4), torch::randn({1, 2, 3}) * 100}, 1);  // garbage in the pad
  auto mask = torch::tensor({{1, 1, 1, 1, 0, 0}}, torch::kBool);
  auto short_run = backward->forward(backward->input_gates(x.narrow(1, 0, 4)));
  auto masked_run = backward->forward(backward->input_gates(padded), mask);
  CHECK(torch::allclose(masked_run.outputs.narrow(1, 0, 4), short_run.outputs, 1e-5, 1e-6));
  CHECK(masked_run.outputs.narrow(1, 4, 2).abs().max().item<float>() == 0.0f);
  CHECK(torch::allclose(masked_run.final.h, short_run.final.h, 1e-5, 1e-6));
}
