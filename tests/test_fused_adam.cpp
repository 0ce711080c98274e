// FusedAdam against torch::optim::Adam: same updates, same treatment of a
// parameter whose gradient is missing, interchangeable optimiser state.
#include <catch2/catch.hpp>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include <sstream>

#include "attn/train/fused_adam.h"

namespace {

// Gradient of step s for parameter i; parameter 1 gets none at steps 2 and 3
// (a stage where it is not used), parameter 2 none until step 2.
torch::Tensor gradient(int64_t s, size_t i, const torch::Tensor& p) {
  if ((i == 1 && (s == 2 || s == 3)) || (i == 2 && s < 2)) return {};
  return torch::randn(p.sizes(), torch::TensorOptions().dtype(p.dtype())) * (0.1 * (s + 1)) + p * 0.01;
}

std::vector<torch::Tensor> make_params(torch::Dtype dtype) {
  torch::manual_seed(3);
  auto options = torch::TensorOptions().dtype(dtype);
  return {torch::randn({37, 5}, options), torch::randn({129}, options), torch::randn({3, 3}, options)};
}

// Runs `steps` updates. The reference is torch's Adam after zero_grad(),
// which leaves a zero gradient on a parameter that has had one; FusedAdam
// gets its gradients cleared to none.
template <class Optimizer>
std::vector<torch::Tensor> train(torch::Dtype dtype, int64_t steps, bool fused) {
  auto params = make_params(dtype);
  Optimizer optimizer(params, torch::optim::AdamOptions(0.01));
  for (int64_t s = 0; s < steps; ++s) {
    if constexpr (std::is_same_v<Optimizer, attn::train::FusedAdam>) optimizer.clear_gradients();
    else optimizer.zero_grad();
    torch::manual_seed(100 + s);
    for (size_t i = 0; i < params.size(); ++i) {
      auto g = gradient(s, i, params[i].detach());
      if (!g.defined()) continue;
      if (params[i].grad().defined() && !fused) params[i].mutable_grad().add_(g);
      else params[i].mutable_grad() = g;
    }
    optimizer.step();
  }
  return params;
}

}  // namespace

TEST_CASE("FusedAdam matches torch::optim::Adam, missing gradients included", "[train][adam]") {
  auto reference = train<torch::optim::Adam>(torch::kFloat, 6, false);
  auto fused = train<attn::train::FusedAdam>(torch::kFloat, 6, true);
  auto start = make_params(torch::kFloat);
  for (size_t i = 0; i < reference.size(); ++i) {
    INFO("parameter " << i);
    CHECK(torch::allclose(fused[i], reference[i], 1e-6, 1e-7));
    CHECK_FALSE(torch::equal(fused[i], start[i]));  // the updates did move it
  }
  // Parameter 1 had no gradient at steps 2 and 3 but kept moving on its
  // momentum, as with zero gradients; the two optimisers agree there too.
  SECTION("double parameters take torch's own step") {
    auto reference_double = train<torch::optim::Adam>(torch::kDouble, 6, false);
    auto fused_double = train<attn::train::FusedAdam>(torch::kDouble, 6, true);
    for (size_t i = 0; i < reference_double.size(); ++i) CHECK(torch::equal(fused_double[i], reference_double[i]));
  }
}

TEST_CASE("FusedAdam state loads into torch::optim::Adam and back", "[train][adam]") {
  auto params = make_params(torch::kFloat);
  attn::train::FusedAdam fused(params, torch::optim::AdamOptions(0.01));
  for (int64_t s = 0; s < 3; ++s) {
    fused.clear_gradients();
    for (auto& p : params) p.mutable_grad() = torch::full_like(p, 0.5 + s);
    fused.step();
  }
  torch::serialize::OutputArchive out;
  fused.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  auto copies = params;
  for (auto& p : copies) p = p.detach().clone();
  torch::optim::Adam plain(copies, torch::optim::AdamOptions(0.01));
  torch::serialize::InputArchive in;
  std::istringstream read(bytes.str());
  in.load_from(read);
  plain.load(in);
  // One more identical update from the same state: same parameters.
  fused.clear_gradients();
  plain.zero_grad();
  for (size_t i = 0; i < params.size(); ++i) {
    params[i].mutable_grad() = torch::full_like(params[i], -1.0);
    copies[i].mutable_grad() = torch::full_like(copies[i], -1.0);
  }
  fused.step();
  plain.step();
  for (size_t i = 0; i < params.size(); ++i) CHECK(torch::allclose(params[i], copies[i], 1e-6, 1e-7));
}
