// One-pass Adam (see attn/train/fused_adam.h).
#include "attn/train/fused_adam.h"

#include <c10/util/string_utils.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <cmath>

namespace attn::train {

namespace {

bool fusable(const torch::Tensor& p, const torch::optim::AdamOptions& options) {
  return p.is_cpu() && p.scalar_type() == torch::kFloat && p.is_contiguous() && !options.amsgrad() &&
         options.weight_decay() == 0 && (!p.grad().defined() || p.grad().is_contiguous());
}

// torch::optim::Adam's update of one element, in its order of operations:
// m = m b1 + (1 - b1) g; v = v b2 + (1 - b2) g g; p -= lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps).
void adam_update(float* p, const float* g, float* m, float* v, int64_t n, float beta1, float one_minus_beta1,
                 float beta2, float one_minus_beta2, float sqrt_bias_correction2, float eps, float step_size) {
  if (g == nullptr) {
    for (int64_t i = 0; i < n; ++i) {
      m[i] = m[i] * beta1;
      v[i] = v[i] * beta2;
      p[i] = p[i] - step_size * (m[i] / (std::sqrt(v[i]) / sqrt_bias_correction2 + eps));
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    m[i] = m[i] * beta1 + one_minus_beta1 * gi;
    v[i] = v[i] * beta2 + one_minus_beta2 * gi * gi;
    p[i] = p[i] - step_size * (m[i] / (std::sqrt(v[i]) / sqrt_bias_correction2 + eps));
  }
}

}  // namespace

void FusedAdam::clear_gradients() {
  for (auto& group : param_groups())
    for (auto& p : group.params()) p.mutable_grad().reset();
}

torch::Tensor FusedAdam::step(LossClosure closure) {
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode enable_grad(true);
    loss = closure();
  }
  torch::NoGradGuard no_grad;
  bool all_fusable = true;
  for (auto& group : param_groups())
    for (auto& p : group.params())
      all_fusable = all_fusable && fusable(p, static_cast<torch::optim::AdamOptions&>(group.options()));
  if (!all_fusable) {
    // torch::optim::Adam skips undefined gradients: give the parameters that
    // have state the zeros that zero_grad() would have left them.
    for (auto& group : param_groups())
      for (auto& p : group.params())
        if (!p.grad().defined() && state_.count(c10::guts::to_string(p.unsafeGetTensorImpl())))
          p.mutable_grad() = torch::zeros_like(p);
    torch::optim::Adam::step();
    return loss;
  }
  for (auto& group : param_groups()) {
    auto& options = static_cast<torch::optim::AdamOptions&>(group.options());
    for (auto& p : group.params()) {
      const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
      auto found = state_.find(key);
      if (!p.grad().defined() && found == state_.end()) continue;
      if (found == state_.end()) {
        auto fresh = std::make_unique<torch::optim::AdamParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        found = state_.emplace(key, std::move(fresh)).first;
      }
      auto& state = static_cast<torch::optim::AdamParamState&>(*found->second);
      state.step(state.step() + 1);
      const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
      const double bias_correction1 = 1 - std::pow(beta1, state.step());
      const double bias_correction2 = 1 - std::pow(beta2, state.step());
      const auto& grad = p.grad();
      adam_update(p.data_ptr<float>(), grad.defined() ? grad.data_ptr<float>() : nullptr,
                  state.exp_avg().data_ptr<float>(), state.exp_avg_sq().data_ptr<float>(), p.numel(),
                  static_cast<float>(beta1), static_cast<float>(1 - beta1), static_cast<float>(beta2),
                  static_cast<float>(1 - beta2), static_cast<float>(std::sqrt(bias_correction2)),
                  static_cast<float>(options.eps()), static_cast<float>(options.lr() / bias_correction1));
    }
  }
  return loss;
}

}  // namespace attn::train
