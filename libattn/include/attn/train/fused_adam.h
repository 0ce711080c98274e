// Adam with the update of each CPU float parameter done in one pass.
//
// Why: torch::optim::Adam runs ~8 LibTorch ops per parameter (mul_, add_,
// mul_, addcmul_, sqrt, div, add_, addcdiv_), each a full pass over the
// parameter or its moments plus a temporary; on the 8.2 M-parameter
// translation model that was ~15% of a training step. One loop reads
// p, g, m, v once and writes p, m, v once.
//
// Same algorithm, state and checkpoints as torch::optim::Adam (it is one):
// the moments live in Adam's AdamParamState, so checkpoints load into either.
// Results agree with torch::optim::Adam to float rounding (the order of
// operations within an element is the same; contraction into FMA may differ).
//
// Gradients cleared to "none" (clear_gradients) instead of zeroed: a
// parameter that has had a gradient before (it has Adam state) and gets
// none this step is updated as with a zero gradient, exactly what
// zero_grad() followed by no accumulation gives torch::optim::Adam; one that
// never had a gradient is skipped, as there. This saves zeroing and then
// adding into every gradient each step.
//
// Other devices, dtypes, weight decay or AMSGrad: torch::optim::Adam's own step.
#pragma once

#include <torch/optim/adam.h>

#include <vector>

namespace attn::train {

class FusedAdam : public torch::optim::Adam {
 public:
  FusedAdam(std::vector<torch::Tensor> params, torch::optim::AdamOptions options)
      : torch::optim::Adam(std::move(params), std::move(options)) {}

  torch::Tensor step(LossClosure closure = nullptr) override;

  /// Resets every parameter's gradient to undefined (see the note above).
  void clear_gradients();
};

}  // namespace attn::train
