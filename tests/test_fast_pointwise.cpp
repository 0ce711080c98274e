// The internal CPU kernels (libattn/src/nn/fast_pointwise.h): the rational
// tanh stays within the documented 4e-7 of std::tanh everywhere, and the LSTM
// cell kernel equals the textbook formulas, with padding carried over exactly.
// (Values and gradients of whole layers are checked against torch::nn in
// test_recurrent.cpp; this pins the kernels themselves.)
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "nn/fast_pointwise.h"

TEST_CASE("rational tanh is within 4e-7 of std::tanh on [-20, 20]", "[nn][kernels]") {
  std::vector<float> x;
  for (int i = -200000; i <= 200000; ++i) x.push_back(static_cast<float>(i) * 1e-4f);
  auto y = x;
  attn::nn::detail::tanh_inplace(y.data(), static_cast<int64_t>(y.size()));
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(y[i] - std::tanh(static_cast<double>(x[i]))));
  CHECK(worst < 4e-7);
  CHECK(worst > 0);  // it is an approximation: exactness here would mean the test reads the wrong thing
}

TEST_CASE("fused LSTM cell equals the LSTM formulas, and a zero mask keeps the state", "[nn][kernels]") {
  const int64_t B = 3, H = 5;
  std::vector<float> gates(B * 4 * H), h_prev(B * H), c_prev(B * H);
  for (size_t i = 0; i < gates.size(); ++i) gates[i] = std::sin(0.7f * i) * 3;
  for (size_t i = 0; i < h_prev.size(); ++i) {
    h_prev[i] = std::cos(0.3f * i);
    c_prev[i] = std::sin(1.1f * i) * 2;
  }
  const std::vector<float> pre = gates, mask = {1.0f, 0.0f, 1.0f};
  std::vector<float> tanh_c(B * H), h_next(B * H), c_next(B * H), output(B * H);
  attn::nn::detail::lstm_cell_forward(gates.data(), h_prev.data(), c_prev.data(), mask.data(), tanh_c.data(),
                                      h_next.data(), c_next.data(), output.data(), B, H);
  auto sigmoid = [](double v) { return 1 / (1 + std::exp(-v)); };
  for (int64_t b = 0; b < B; ++b)
    for (int64_t j = 0; j < H; ++j) {
      const float* g = pre.data() + b * 4 * H;
      const double i_g = sigmoid(g[j]), f_g = sigmoid(g[H + j]), c_g = std::tanh(g[2 * H + j]),
                   o_g = sigmoid(g[3 * H + j]);
      const double c = f_g * c_prev[b * H + j] + i_g * c_g, h = o_g * std::tanh(c);
      CHECK(gates[b * 4 * H + j] == Approx(i_g).margin(1e-6));
      CHECK(tanh_c[b * H + j] == Approx(std::tanh(c)).margin(1e-6));
      if (mask[b] == 1.0f) {
        CHECK(h_next[b * H + j] == Approx(h).margin(1e-6));
        CHECK(c_next[b * H + j] == Approx(c).margin(1e-6));
        CHECK(output[b * H + j] == h_next[b * H + j]);
      } else {  // padding: state carried over bit for bit, output zero
        CHECK(h_next[b * H + j] == h_prev[b * H + j]);
        CHECK(c_next[b * H + j] == c_prev[b * H + j]);
        CHECK(output[b * H + j] == 0.0f);
      }
    }
}
