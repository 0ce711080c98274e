// Copy-experiment accuracies (see attn/metrics/copy_accuracy.h).
#include "attn/metrics/copy_accuracy.h"

namespace attn::metrics {

namespace {
double masked_mean(const torch::Tensor& values, const torch::Tensor& mask) {
  if (!mask.defined()) return values.to(torch::kDouble).mean().item<double>();
  auto m = mask.to(torch::kDouble);
  return (values.to(torch::kDouble) * m).sum().item<double>() / m.sum().clamp_min(1).item<double>();
}
}  // namespace

double token_accuracy(const torch::Tensor& log_probs, const torch::Tensor& gold, const torch::Tensor& mask) {
  torch::NoGradGuard no_grad;
  return masked_mean(log_probs.argmax(-1).eq(gold), mask);
}

double alignment_accuracy(const torch::Tensor& scores, const torch::Tensor& gold_position,
                          const torch::Tensor& mask) {
  torch::NoGradGuard no_grad;
  return masked_mean(scores.argmax(-1).eq(gold_position), mask);
}

double mean_nll(const torch::Tensor& log_probs, const torch::Tensor& gold, const torch::Tensor& mask) {
  torch::NoGradGuard no_grad;
  auto nll = -log_probs.gather(-1, gold.unsqueeze(-1)).squeeze(-1);  // (B, T)
  return masked_mean(nll, mask);
}

}  // namespace attn::metrics
