// One-node GRU recurrence with a hand-written backward (see gru_function.h).
// tests/test_recurrent.cpp checks values and gradients against torch::nn::GRU.
#include "gru_function.h"

#include "fast_pointwise.h"

namespace attn::nn::detail {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

variable_list GRURecurrence::forward(AutogradContext* ctx, const torch::Tensor& gates_x, const torch::Tensor& h0,
                                     const torch::Tensor& w_hh, const torch::Tensor& b_hh, const torch::Tensor& mask,
                                     bool reverse) {
  const int64_t T = gates_x.size(0), B = gates_x.size(1), H = h0.size(1);
  const bool masked = mask.numel() > 0;
  auto options = gates_x.options();
  auto gates_in = gates_x.contiguous();
  auto mask_in = masked ? mask.contiguous() : mask;
  auto activations = torch::empty({T, B, 3 * H}, options);   // r, z, n after nonlinearity
  auto hidden_gates = torch::empty({T, B, 3 * H}, options);  // W_hh h + b_hh (its n part is needed backward)
  auto h_prev = torch::empty({T, B, H}, options);            // state entering step t
  auto outputs = torch::empty({T, B, H}, options);
  auto h_last = torch::empty({B, H}, options);
  auto w_hh_t = w_hh.t();
  h_prev[reverse ? T - 1 : 0].copy_(h0);
  for (int64_t i = 0; i < T; ++i) {
    const int64_t t = reverse ? T - 1 - i : i;
    const bool last = i == T - 1;
    auto hg = hidden_gates[t];
    torch::addmm_out(hg, b_hh, h_prev[t], w_hh_t);
    gru_cell_forward(gates_in[t].data_ptr<float>(), hg.data_ptr<float>(), h_prev[t].data_ptr<float>(),
                     masked ? mask_in[t].data_ptr<float>() : nullptr, activations[t].data_ptr<float>(),
                     (last ? h_last : h_prev[reverse ? t - 1 : t + 1]).data_ptr<float>(),
                     outputs[t].data_ptr<float>(), B, H);
  }
  ctx->save_for_backward({activations, hidden_gates, h_prev, w_hh, mask_in});
  ctx->saved_data["reverse"] = reverse;
  return {outputs, h_last};
}

variable_list GRURecurrence::backward(AutogradContext* ctx, variable_list grad_outputs) {
  auto saved = ctx->get_saved_variables();
  const auto &activations = saved[0], &hidden_gates = saved[1], &h_prev = saved[2], &w_hh = saved[3],
             &mask = saved[4];
  const bool reverse = ctx->saved_data["reverse"].toBool();
  const bool masked = mask.numel() > 0;
  const int64_t T = activations.size(0), B = activations.size(1), H = h_prev.size(2);
  auto options = activations.options();
  auto grad_out = grad_outputs[0].defined() ? grad_outputs[0].contiguous() : grad_outputs[0];
  auto dh = grad_outputs[1].defined() ? grad_outputs[1].clone(torch::MemoryFormat::Contiguous)
                                      : torch::zeros({B, H}, options);
  auto dh_next = torch::empty({B, H}, options);
  auto d_gates_x = torch::empty({T, B, 3 * H}, options);
  auto d_hidden_gates = torch::empty({T, B, 3 * H}, options);
  for (int64_t i = 0; i < T; ++i) {
    const int64_t t = reverse ? i : T - 1 - i;  // reverse processing order
    gru_cell_backward(activations[t].data_ptr<float>(), hidden_gates[t].data_ptr<float>(),
                      h_prev[t].data_ptr<float>(), masked ? mask[t].data_ptr<float>() : nullptr,
                      grad_out.defined() ? grad_out[t].data_ptr<float>() : nullptr, dh.data_ptr<float>(),
                      d_gates_x[t].data_ptr<float>(), d_hidden_gates[t].data_ptr<float>(), B, H);
    torch::addmm_out(dh_next, dh, d_hidden_gates[t], w_hh);  // dh_prev = direct share + dG_h W_hh
    std::swap(dh, dh_next);
  }
  auto flat = d_hidden_gates.view({T * B, 3 * H});
  // Skipped when not asked for (gradients to the inputs only).
  auto d_w_hh = ctx->needs_input_grad(2) ? torch::mm(flat.t(), h_prev.view({T * B, H})) : torch::Tensor();
  auto d_b_hh = ctx->needs_input_grad(3) ? flat.sum(0) : torch::Tensor();
  return {d_gates_x, dh, d_w_hh, d_b_hh, torch::Tensor(), torch::Tensor()};
}

}  // namespace attn::nn::detail
