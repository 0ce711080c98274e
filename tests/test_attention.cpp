// Attention: shapes, the padding mask, the uniform mode (exactly uniform over
// real positions; no gradient to the query parameters) and the head algebra.
#include <catch2/catch.hpp>

#include "attn/nn/attention.h"
#include "seeding.h"

using attn::nn::Attention;
using attn::nn::AttentionOptions;

TEST_CASE_METHOD(attn_test::SeededWith<5>, "attention shapes and masking", "[nn][attention]") {
  Attention attention(AttentionOptions(6, 4, 3).heads(2));
  auto queries = torch::randn({2, 5, 6}), keys = torch::randn({2, 7, 4});
  auto mask = torch::ones({2, 7}, torch::kBool);
  mask[1].narrow(0, 4, 3).fill_(false);
  auto out = attention(queries, keys, mask);
  CHECK(out.context.sizes() == torch::IntArrayRef({2, 5, 3}));
  CHECK(out.weights.sizes() == torch::IntArrayRef({2, 5, 7}));
  CHECK(out.head_weights.sizes() == torch::IntArrayRef({2, 2, 5, 7}));
  CHECK(torch::allclose(out.head_weights.sum(-1), torch::ones({2, 2, 5})));
  CHECK(out.head_weights[1].narrow(-1, 4, 3).abs().max().item<float>() < 1e-12);
}

TEST_CASE_METHOD(attn_test::SeededWith<6>,
                 "one head computes softmax((W d + b) . h) and W_p sum alpha h + b_p", "[nn][attention]") {
  Attention attention(AttentionOptions(3, 4, 2));
  auto d = torch::randn({1, 2, 3}), h = torch::randn({1, 5, 4});
  auto out = attention(d, h);
  auto q = torch::matmul(d[0], attention->query_weight[0].t()) + attention->query_bias[0];  // (2, 4)
  auto alpha = torch::softmax(torch::matmul(q, h[0].t()), -1);                               // (2, 5)
  auto context = torch::matmul(torch::matmul(alpha, h[0]), attention->context_weight[0].t()) +
                 attention->context_bias[0];
  CHECK(torch::allclose(out.weights[0], alpha, 1e-5, 1e-6));
  CHECK(torch::allclose(out.context[0], context, 1e-5, 1e-6));
}

TEST_CASE_METHOD(attn_test::SeededWith<7>, "several heads average the heads' contexts", "[nn][attention]") {
  Attention two(AttentionOptions(3, 4, 2).heads(2));
  Attention first(AttentionOptions(3, 4, 2)), second(AttentionOptions(3, 4, 2));
  first->copy_head_from(*two, 0, 0);
  second->copy_head_from(*two, 1, 0);
  auto d = torch::randn({2, 3, 3}), h = torch::randn({2, 6, 4});
  auto expected = (first(d, h).context + second(d, h).context) / 2;
  CHECK(torch::allclose(two(d, h).context, expected, 1e-5, 1e-6));
  CHECK(torch::allclose(two->one_hot_contexts(h),
                        (first->one_hot_contexts(h) + second->one_hot_contexts(h)) / 2, 1e-5, 1e-6));
}

TEST_CASE_METHOD(attn_test::SeededWith<8>,
                 "uniform mode: exactly uniform over real positions, no gradient to the query", "[nn][attention]") {
  Attention attention(AttentionOptions(6, 4, 3).heads(3).uniform(true));
  auto queries = torch::randn({2, 5, 6}), keys = torch::randn({2, 7, 4});
  auto mask = torch::ones({2, 7}, torch::kBool);
  mask[0].narrow(0, 3, 4).fill_(false);  // example 0 has 3 real positions
  auto out = attention(queries, keys, mask);
  CHECK(out.weights[0].narrow(-1, 0, 3).eq(1.0f / 3).all().item<bool>());
  CHECK(out.weights[0].narrow(-1, 3, 4).eq(0.0f).all().item<bool>());
  CHECK(out.weights[1].eq(1.0f / 7).all().item<bool>());
  out.context.sum().backward();
  CHECK_FALSE(attention->query_weight.grad().defined());
  CHECK_FALSE(attention->query_bias.grad().defined());
  REQUIRE(attention->context_weight.grad().defined());
  CHECK(attention->context_weight.grad().abs().sum().item<float>() > 0);

  attention->set_uniform(false);
  attention(queries, keys, mask).context.sum().backward();
  REQUIRE(attention->query_weight.grad().defined());
  CHECK(attention->query_weight.grad().abs().sum().item<float>() > 0);
}
