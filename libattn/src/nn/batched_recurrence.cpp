// Batched one-node LSTM / GRU recurrences (see batched_recurrence.h).
#include "batched_recurrence.h"

#include "fast_pointwise.h"

namespace attn::nn::detail {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

torch::Tensor per_run_weight_grad(const torch::Tensor& d_gates, const torch::Tensor& inputs, int64_t runs) {
  const int64_t T = d_gates.size(0), B = d_gates.size(1) / runs, G = d_gates.size(2), X = inputs.size(2);
  // Run-major copies so that each run's rows are one (T*B) block.
  auto dg = d_gates.view({T, runs, B, G}).permute({1, 0, 2, 3}).reshape({runs, T * B, G});  // (R, T*B, G)
  auto x = inputs.view({T, runs, B, X}).permute({1, 0, 2, 3}).reshape({runs, T * B, X});    // (R, T*B, X)
  return torch::bmm(dg.transpose(1, 2), x);                                                 // (R, G, X)
}

variable_list BatchedLSTMRecurrence::forward(AutogradContext* ctx, const torch::Tensor& gates_x,
                                             const torch::Tensor& h0, const torch::Tensor& c0,
                                             const torch::Tensor& w_hh, const torch::Tensor& mask, bool reverse) {
  const int64_t T = gates_x.size(0), RB = gates_x.size(1), H = h0.size(1), R = w_hh.size(0), B = RB / R,
                G = 4 * H;
  TORCH_CHECK(gates_x.is_cpu() && gates_x.scalar_type() == torch::kFloat && RB == R * B,
              "BatchedLSTMRecurrence: expected CPU float gates of R*B rows");
  const bool masked = mask.numel() > 0;
  auto options = gates_x.options();
  auto gates_in = gates_x.contiguous();
  auto mask_in = masked ? mask.contiguous() : mask;
  auto activations = torch::empty({T, RB, G}, options);  // i, f, g, o after nonlinearity
  auto cell_tanh = torch::empty({T, RB, H}, options);    // tanh(c_new)
  auto h_prev = torch::empty({T, RB, H}, options);       // state entering step t
  auto c_prev = torch::empty({T, RB, H}, options);
  auto outputs = torch::empty({T, RB, H}, options);
  auto h_last = torch::empty({RB, H}, options), c_last = torch::empty({RB, H}, options);
  auto w_hh_t = w_hh.transpose(1, 2);  // (R, H, G)
  h_prev[reverse ? T - 1 : 0].copy_(h0);
  c_prev[reverse ? T - 1 : 0].copy_(c0);
  for (int64_t i = 0; i < T; ++i) {
    const int64_t t = reverse ? T - 1 - i : i;
    const bool last = i == T - 1;
    const int64_t next = reverse ? t - 1 : t + 1;
    auto act = activations[t].view({R, B, G});
    torch::baddbmm_out(act, gates_in[t].view({R, B, G}), h_prev[t].view({R, B, H}), w_hh_t);  // (R, B, G)
    lstm_cell_forward(act.data_ptr<float>(), h_prev[t].data_ptr<float>(), c_prev[t].data_ptr<float>(),
                      masked ? mask_in[t].data_ptr<float>() : nullptr, cell_tanh[t].data_ptr<float>(),
                      (last ? h_last : h_prev[next]).data_ptr<float>(),
                      (last ? c_last : c_prev[next]).data_ptr<float>(), outputs[t].data_ptr<float>(), RB, H);
  }
  ctx->save_for_backward({activations, cell_tanh, h_prev, c_prev, w_hh, mask_in});
  ctx->saved_data["reverse"] = reverse;
  return {outputs, h_last, c_last};
}

variable_list BatchedLSTMRecurrence::backward(AutogradContext* ctx, variable_list grad_outputs) {
  auto saved = ctx->get_saved_variables();
  const auto &activations = saved[0], &cell_tanh = saved[1], &h_prev = saved[2], &c_prev = saved[3],
             &w_hh = saved[4], &mask = saved[5];
  const bool reverse = ctx->saved_data["reverse"].toBool();
  const bool masked = mask.numel() > 0;
  const int64_t T = activations.size(0), RB = activations.size(1), H = h_prev.size(2), R = w_hh.size(0),
                B = RB / R, G = 4 * H;
  auto options = activations.options();
  auto grad_in = grad_outputs[0].defined() ? grad_outputs[0].contiguous() : grad_outputs[0];
  auto dh = grad_outputs[1].defined() ? grad_outputs[1].clone(torch::MemoryFormat::Contiguous)
                                      : torch::zeros({RB, H}, options);
  auto dc = grad_outputs[2].defined() ? grad_outputs[2].clone(torch::MemoryFormat::Contiguous)
                                      : torch::zeros({RB, H}, options);
  auto dh_next = torch::empty({RB, H}, options);
  auto d_gates = torch::empty({T, RB, G}, options);
  for (int64_t i = 0; i < T; ++i) {
    const int64_t t = reverse ? i : T - 1 - i;
    lstm_cell_backward(activations[t].data_ptr<float>(), cell_tanh[t].data_ptr<float>(),
                       c_prev[t].data_ptr<float>(), masked ? mask[t].data_ptr<float>() : nullptr,
                       grad_in.defined() ? grad_in[t].data_ptr<float>() : nullptr, dh.data_ptr<float>(),
                       dc.data_ptr<float>(), d_gates[t].data_ptr<float>(), RB, H);
    // dh_prev = (bypass share, zero without a mask) + dG W_hh, per run.
    auto dh_next_runs = dh_next.view({R, B, H});
    if (masked)
      torch::baddbmm_out(dh_next_runs, dh.view({R, B, H}), d_gates[t].view({R, B, G}), w_hh);
    else
      torch::bmm_out(dh_next_runs, d_gates[t].view({R, B, G}), w_hh);
    std::swap(dh, dh_next);
  }
  auto d_w_hh = ctx->needs_input_grad(3) ? per_run_weight_grad(d_gates, h_prev, R) : torch::Tensor();
  return {d_gates, dh, dc, d_w_hh, torch::Tensor(), torch::Tensor()};
}

variable_list BatchedGRURecurrence::forward(AutogradContext* ctx, const torch::Tensor& gates_x,
                                            const torch::Tensor& h0, const torch::Tensor& w_hh,
                                            const torch::Tensor& b_hh, const torch::Tensor& mask, bool reverse) {
  const int64_t T = gates_x.size(0), RB = gates_x.size(1), H = h0.size(1), R = w_hh.size(0), B = RB / R,
                G = 3 * H;
  TORCH_CHECK(gates_x.is_cpu() && gates_x.scalar_type() == torch::kFloat && RB == R * B,
              "BatchedGRURecurrence: expected CPU float gates of R*B rows");
  const bool masked = mask.numel() > 0;
  auto options = gates_x.options();
  auto gates_in = gates_x.contiguous();
  auto mask_in = masked ? mask.contiguous() : mask;
  auto activations = torch::empty({T, RB, G}, options);    // r, z, n after nonlinearity
  auto hidden_gates = torch::empty({T, RB, G}, options);   // W_hh h + b_hh
  auto h_prev = torch::empty({T, RB, H}, options);         // state entering step t
  auto outputs = torch::empty({T, RB, H}, options);
  auto h_last = torch::empty({RB, H}, options);
  auto w_hh_t = w_hh.transpose(1, 2);   // (R, H, G)
  auto bias = b_hh.unsqueeze(1);        // (R, 1, G)
  h_prev[reverse ? T - 1 : 0].copy_(h0);
  for (int64_t i = 0; i < T; ++i) {
    const int64_t t = reverse ? T - 1 - i : i;
    const bool last = i == T - 1;
    auto hg = hidden_gates[t].view({R, B, G});
    torch::baddbmm_out(hg, bias, h_prev[t].view({R, B, H}), w_hh_t);  // (R, B, G)
    gru_cell_forward(gates_in[t].data_ptr<float>(), hg.data_ptr<float>(), h_prev[t].data_ptr<float>(),
                     masked ? mask_in[t].data_ptr<float>() : nullptr, activations[t].data_ptr<float>(),
                     (last ? h_last : h_prev[reverse ? t - 1 : t + 1]).data_ptr<float>(),
                     outputs[t].data_ptr<float>(), RB, H);
  }
  ctx->save_for_backward({activations, hidden_gates, h_prev, w_hh, mask_in});
  ctx->saved_data["reverse"] = reverse;
  return {outputs, h_last};
}

variable_list BatchedGRURecurrence::backward(AutogradContext* ctx, variable_list grad_outputs) {
  auto saved = ctx->get_saved_variables();
  const auto &activations = saved[0], &hidden_gates = saved[1], &h_prev = saved[2], &w_hh = saved[3],
             &mask = saved[4];
  const bool reverse = ctx->saved_data["reverse"].toBool();
  const bool masked = mask.numel() > 0;
  const int64_t T = activations.size(0), RB = activations.size(1), H = h_prev.size(2), R = w_hh.size(0),
                B = RB / R, G = 3 * H;
  auto options = activations.options();
  auto grad_out = grad_outputs[0].defined() ? grad_outputs[0].contiguous() : grad_outputs[0];
  auto dh = grad_outputs[1].defined() ? grad_outputs[1].clone(torch::MemoryFormat::Contiguous)
                                      : torch::zeros({RB, H}, options);
  auto dh_next = torch::empty({RB, H}, options);
  auto d_gates_x = torch::empty({T, RB, G}, options);
  auto d_hidden_gates = torch::empty({T, RB, G}, options);
  for (int64_t i = 0; i < T; ++i) {
    const int64_t t = reverse ? i : T - 1 - i;
    gru_cell_backward(activations[t].data_ptr<float>(), hidden_gates[t].data_ptr<float>(),
                      h_prev[t].data_ptr<float>(), masked ? mask[t].data_ptr<float>() : nullptr,
                      grad_out.defined() ? grad_out[t].data_ptr<float>() : nullptr, dh.data_ptr<float>(),
                      d_gates_x[t].data_ptr<float>(), d_hidden_gates[t].data_ptr<float>(), RB, H);
    auto dh_next_runs = dh_next.view({R, B, H});
    torch::baddbmm_out(dh_next_runs, dh.view({R, B, H}), d_hidden_gates[t].view({R, B, G}), w_hh);
    std::swap(dh, dh_next);
  }
  auto d_w_hh = ctx->needs_input_grad(2) ? per_run_weight_grad(d_hidden_gates, h_prev, R) : torch::Tensor();
  auto d_b_hh = ctx->needs_input_grad(3) ? d_hidden_gates.view({T, R, B, G}).sum(torch::IntArrayRef{0, 2}) : torch::Tensor();
  return {d_gates_x, dh, d_w_hh, d_b_hh, torch::Tensor(), torch::Tensor()};
}

}  // namespace attn::nn::detail
