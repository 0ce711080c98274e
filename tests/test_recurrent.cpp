// The hoisted-input recurrent layers equal LibTorch's own LSTM/GRU (values and
// final states), the embedding-table shortcut is exact, and padding is masked.
#include <catch2/catch.hpp>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/rnn.h>
#include <torch/autograd.h>

#include "attn/nn/recurrent.h"
#include "seeding.h"

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

TEST_CASE_METHOD(attn_test::SeededWith<1>, "LSTM layer matches torch::nn::LSTM", "[nn][recurrent]") {
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

TEST_CASE_METHOD(attn_test::SeededWith<2>, "GRU layer matches torch::nn::GRU", "[nn][recurrent]") {
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

TEST_CASE_METHOD(attn_test::SeededWith<3>,
                 "input gates through the embedding table equal gates of the embeddings", "[nn][recurrent]") {
  torch::nn::Embedding embedding(11, 8);
  RecurrentLayer layer(RecurrentLayerOptions(8, 4));
  auto tokens = torch::randint(0, 11, {3, 9}, torch::kInt64);
  auto direct = layer->input_gates(embedding(tokens));
  auto shortcut = layer->input_gates_from_embedding(embedding->weight, tokens);
  CHECK(torch::allclose(direct, shortcut, 1e-5, 1e-6));
}

TEST_CASE_METHOD(attn_test::SeededWith<4>,
                 "reverse direction over right padding equals running the unpadded sequence", "[nn][recurrent]") {
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

namespace {
// Runs each example alone through the reference over its real steps (no
// padding involved) and compares loss and every gradient with our layer on
// the padded batch. Float takes the fused CPU cells, double the generic path.
template <typename Reference, typename Options>
void check_gradients(CellKind cell, torch::Dtype dtype) {
  const bool lstm = cell == CellKind::kLSTM;
  for (bool reverse : {false, true})
    for (bool padded : {false, true}) {
      torch::manual_seed(12);
      Reference reference(Options(4, 6).batch_first(true));
      RecurrentLayer ours(RecurrentLayerOptions(4, 6).cell(cell).reverse(reverse));
      copy_weights(ours, reference);
      reference->to(dtype);
      ours->to(dtype);
      auto as = torch::TensorOptions(dtype);
      auto x = torch::randn({3, 5, 4}, as);
      auto upstream = torch::randn({3, 5, 6}, as);
      auto mask = torch::ones({3, 5}, torch::kBool);
      if (padded) mask[1].narrow(0, 3, 2).fill_(false);  // example 1 has 3 real steps
      auto h0 = torch::randn({3, 6}, as), c0 = torch::randn({3, 6}, as);

      torch::Tensor expected_loss = torch::zeros({}, as);
      for (int64_t b = 0; b < 3; ++b) {
        const int64_t n = mask[b].sum().item<int64_t>();
        auto xb = x[b].narrow(0, 0, n).unsqueeze(0);
        if (reverse) xb = xb.flip(1);
        torch::Tensor y, h_n, c_n;
        if constexpr (std::is_same_v<Reference, torch::nn::LSTM>) {
          auto [out, state] = reference->forward(xb, std::make_tuple(h0[b].view({1, 1, 6}), c0[b].view({1, 1, 6})));
          y = out;
          h_n = std::get<0>(state);
          c_n = std::get<1>(state);
        } else {
          std::tie(y, h_n) = reference->forward(xb, h0[b].view({1, 1, 6}));
        }
        if (reverse) y = y.flip(1);
        expected_loss = expected_loss + (y[0] * upstream[b].narrow(0, 0, n)).sum() + h_n.sum() * 0.5;
        if (lstm) expected_loss = expected_loss + c_n.sum() * 0.25;
      }
      expected_loss.backward();
      auto got = ours->forward(ours->input_gates(x), padded ? mask : torch::Tensor(),
                               {h0, lstm ? c0 : torch::Tensor()});
      auto loss = (got.outputs * upstream).sum() + got.final.h.sum() * 0.5;
      if (lstm) loss = loss + got.final.c.sum() * 0.25;
      CHECK(loss.item<double>() == Approx(expected_loss.item<double>()).epsilon(1e-4));
      loss.backward();
      auto params = reference->named_parameters();
      CHECK(torch::allclose(ours->weight_hh.grad(), params["weight_hh_l0"].grad(), 1e-4, 1e-5));
      CHECK(torch::allclose(ours->weight_ih.grad(), params["weight_ih_l0"].grad(), 1e-4, 1e-5));
      CHECK(torch::allclose(ours->bias_hh.grad(), params["bias_hh_l0"].grad(), 1e-4, 1e-5));
      CHECK(torch::allclose(ours->bias_ih.grad(), params["bias_ih_l0"].grad(), 1e-4, 1e-5));
    }
}
}  // namespace

TEST_CASE("LSTM gradients match torch::nn::LSTM, with and without padding", "[nn][recurrent]") {
  check_gradients<torch::nn::LSTM, torch::nn::LSTMOptions>(CellKind::kLSTM, torch::kFloat);
  check_gradients<torch::nn::LSTM, torch::nn::LSTMOptions>(CellKind::kLSTM, torch::kDouble);
}

TEST_CASE("GRU gradients match torch::nn::GRU, with and without padding", "[nn][recurrent]") {
  check_gradients<torch::nn::GRU, torch::nn::GRUOptions>(CellKind::kGRU, torch::kFloat);
  check_gradients<torch::nn::GRU, torch::nn::GRUOptions>(CellKind::kGRU, torch::kDouble);
}

namespace {
// Loss, input gradient and weight gradients of one LSTM layer on a padded
// batch; `dtype` float takes the fused CPU path, double the generic one.
struct PaddedRun {
  torch::Tensor outputs, final_h, final_c, grad_x, grad_w_ih, grad_w_hh;
};

PaddedRun run_padded(const torch::Tensor& x, const torch::Tensor& mask, const torch::Tensor& upstream, bool reverse,
                     torch::Dtype dtype, bool packed_gates) {
  torch::manual_seed(5);
  RecurrentLayer layer(RecurrentLayerOptions(x.size(2), 6).reverse(reverse));
  layer->to(dtype);
  auto input = x.to(dtype).clone().detach().requires_grad_();
  auto gates = packed_gates ? layer->input_gates(input, mask) : layer->input_gates(input);
  auto out = layer->forward(gates, mask);
  auto loss = (out.outputs * upstream.to(dtype)).sum() + out.final.h.sum() * 0.5 + out.final.c.sum() * 0.25;
  loss.backward();
  return {out.outputs.to(torch::kDouble), out.final.h.to(torch::kDouble), out.final.c.to(torch::kDouble),
          input.grad().to(torch::kDouble), layer->weight_ih.grad().to(torch::kDouble),
          layer->weight_hh.grad().to(torch::kDouble)};
}

void check_same(const PaddedRun& got, const PaddedRun& expected) {
  CHECK(torch::allclose(got.outputs, expected.outputs, 1e-4, 1e-5));
  CHECK(torch::allclose(got.final_h, expected.final_h, 1e-4, 1e-5));
  CHECK(torch::allclose(got.final_c, expected.final_c, 1e-4, 1e-5));
  CHECK(torch::allclose(got.grad_x, expected.grad_x, 1e-4, 1e-5));
  CHECK(torch::allclose(got.grad_w_ih, expected.grad_w_ih, 1e-4, 1e-5));
  CHECK(torch::allclose(got.grad_w_hh, expected.grad_w_hh, 1e-4, 1e-5));
}
}  // namespace

TEST_CASE_METHOD(attn_test::SeededWith<3>,
                 "LSTM over right padding computes running rows only and matches the masked path", "[nn][recurrent]") {
  // Unsorted lengths with an empty row, a length-1 row and two full rows: the
  // float layer sorts them and skips finished rows; the double layer lerps
  // every row through every step.
  const std::vector<int64_t> lengths = {5, 0, 2, 7, 1, 7};
  const int64_t B = 6, T = 7;
  auto mask = torch::arange(T).unsqueeze(0) < torch::tensor(lengths).unsqueeze(1);  // (B, T)
  auto x = torch::randn({B, T, 4}, torch::kDouble);
  auto upstream = torch::randn({B, T, 6}, torch::kDouble);
  for (bool reverse : {false, true}) {
    auto expected = run_padded(x, mask, upstream, reverse, torch::kDouble, /*packed_gates=*/false);
    check_same(run_padded(x, mask, upstream, reverse, torch::kFloat, /*packed_gates=*/true), expected);
    check_same(run_padded(x, mask, upstream, reverse, torch::kFloat, /*packed_gates=*/false), expected);
    // Padded positions: zero outputs, and the packed gates give x no gradient there.
    CHECK(expected.outputs.masked_select(mask.logical_not().unsqueeze(-1)).abs().max().item<double>() == 0.0);
    auto packed = run_padded(x, mask, upstream, reverse, torch::kFloat, true);
    CHECK(packed.grad_x.masked_select(mask.logical_not().unsqueeze(-1)).abs().max().item<double>() == 0.0);
  }
  // Left padding is not a prefix: the float layer keeps the mask path and still agrees.
  auto left = mask.flip(1);
  check_same(run_padded(x, left, upstream, true, torch::kFloat, false),
             run_padded(x, left, upstream, true, torch::kDouble, false));
}

TEST_CASE_METHOD(attn_test::SeededWith<4>,
                 "input gates at real tokens equal the dense gates there and are zero at padding", "[nn][recurrent]") {
  RecurrentLayer layer(RecurrentLayerOptions(3, 5));
  auto x = torch::randn({2, 4, 3});
  auto mask = torch::tensor({{1, 1, 1, 0}, {1, 0, 0, 0}}, torch::kBool);
  auto dense = layer->input_gates(x), packed = layer->input_gates(x, mask);
  CHECK(packed.sizes() == dense.sizes());
  auto real = mask.unsqueeze(-1).expand_as(dense);
  CHECK(torch::allclose(packed.masked_select(real), dense.masked_select(real), 1e-6, 1e-6));
  CHECK(packed.masked_select(real.logical_not()).abs().max().item<float>() == 0.0f);
}

TEST_CASE("gradients to the inputs alone equal those of a full backward (dW_hh skipped)", "[nn][recurrent]") {
  // Delta (gradient influence) asks autograd for the inputs' gradient only;
  // the recurrences then skip dW_hh. The input gradient must not change.
  for (auto cell : {CellKind::kLSTM, CellKind::kGRU}) {
    torch::manual_seed(6);
    RecurrentLayer layer(RecurrentLayerOptions(4, 6).cell(cell));
    auto x = torch::randn({3, 5, 4}).requires_grad_();
    auto mask = torch::arange(5).unsqueeze(0) < torch::tensor({5, 2, 4}).unsqueeze(1);
    auto upstream = torch::randn({3, 5, 6});
    auto loss_of = [&] { return (layer->forward(layer->input_gates(x, mask), mask).outputs * upstream).sum(); };
    auto only_inputs = torch::autograd::grad({loss_of()}, {x})[0];
    CHECK_FALSE(layer->weight_hh.grad().defined());
    loss_of().backward();
    CHECK(torch::allclose(only_inputs, x.grad(), 1e-6, 1e-7));
    CHECK(layer->weight_hh.grad().abs().sum().item<float>() > 0);
  }
}
