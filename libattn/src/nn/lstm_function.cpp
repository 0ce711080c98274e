// One-node LSTM recurrence with a hand-written backward (see lstm_function.h).
// tests/test_recurrent.cpp checks values and gradients against torch::nn::LSTM.
#include "lstm_function.h"

#include "fast_pointwise.h"

namespace attn::nn::detail {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

// dW_hh = sum over the computed (t, b) rows of dG[t, b]^T h_prev[t, b]: one
// (G, N) x (N, H) product; with `active` counts only the rows that ran.
torch::Tensor recurrent_weight_grad(const torch::Tensor& d_gates, const torch::Tensor& h_prev,
                                    const std::vector<int64_t>& active) {
  const int64_t T = d_gates.size(0), B = d_gates.size(1);
  auto d_gates_rows = d_gates.view({T * B, d_gates.size(2)}), h_rows = h_prev.view({T * B, h_prev.size(2)});
  if (!active.empty()) {
    std::vector<int64_t> rows;
    for (int64_t t = 0; t < T; ++t)
      for (int64_t b = 0; b < active[t]; ++b) rows.push_back(t * B + b);
    auto index = torch::tensor(rows, torch::kLong);
    d_gates_rows = d_gates_rows.index_select(0, index);
    h_rows = h_rows.index_select(0, index);
  }
  return torch::mm(d_gates_rows.t(), h_rows);
}

}  // namespace

variable_list LSTMRecurrence::forward(AutogradContext* ctx, const torch::Tensor& gates_x, const torch::Tensor& h0,
                                      const torch::Tensor& c0, const torch::Tensor& w_hh, const torch::Tensor& mask,
                                      bool reverse, const std::vector<int64_t>& active) {
  const int64_t T = gates_x.size(0), B = gates_x.size(1), H = h0.size(1);
  const bool masked = mask.numel() > 0;
  const bool packed = !active.empty();
  TORCH_CHECK(!packed || (!masked && static_cast<int64_t>(active.size()) == T && gates_x.is_cpu() &&
                          gates_x.scalar_type() == torch::kFloat),
              "LSTMRecurrence: active counts need CPU float gates, T counts and no mask");
  auto activations = torch::empty({T, B, 4 * H}, gates_x.options());  // i, f, g, o after nonlinearity
  auto cell_tanh = torch::empty({T, B, H}, gates_x.options());         // tanh(c_new)
  auto h_prev = torch::empty({T, B, H}, gates_x.options());            // state entering step t
  auto c_prev = torch::empty({T, B, H}, gates_x.options());
  // Carried-over rows are never written, so their outputs start at zero.
  auto outputs = packed ? torch::zeros({T, B, H}, gates_x.options()) : torch::empty({T, B, H}, gates_x.options());
  auto w_hh_t = w_hh.t();
  if (gates_x.is_cpu() && gates_x.scalar_type() == torch::kFloat) {
    // Fused cell (fast_pointwise.h). Step t reads its entering state from
    // h_prev[t] / c_prev[t] and writes the leaving state into the next
    // step's slot, so no state is copied (except carried-over rows).
    auto gates_in = gates_x.contiguous();
    auto mask_in = masked ? mask.contiguous() : mask;
    auto h_last = torch::empty({B, H}, gates_x.options()), c_last = torch::empty({B, H}, gates_x.options());
    const int64_t first = reverse ? T - 1 : 0;
    h_prev[first].copy_(h0);
    c_prev[first].copy_(c0);
    for (int64_t i = 0; i < T; ++i) {
      const int64_t t = reverse ? T - 1 - i : i;
      const bool last = i == T - 1;
      const int64_t next = reverse ? t - 1 : t + 1;
      const int64_t n = packed ? active[t] : B;  // rows computed at this step
      auto h_next = last ? h_last : h_prev[next], c_next = last ? c_last : c_prev[next];
      if (n > 0) {
        auto act = activations[t].narrow(0, 0, n);
        torch::addmm_out(act, gates_in[t].narrow(0, 0, n), h_prev[t].narrow(0, 0, n), w_hh_t);
        detail::lstm_cell_forward(act.data_ptr<float>(), h_prev[t].data_ptr<float>(), c_prev[t].data_ptr<float>(),
                                  masked ? mask_in[t].data_ptr<float>() : nullptr, cell_tanh[t].data_ptr<float>(),
                                  h_next.data_ptr<float>(), c_next.data_ptr<float>(), outputs[t].data_ptr<float>(),
                                  n, H);
      }
      if (n < B) {
        h_next.narrow(0, n, B - n).copy_(h_prev[t].narrow(0, n, B - n));
        c_next.narrow(0, n, B - n).copy_(c_prev[t].narrow(0, n, B - n));
      }
    }
    ctx->save_for_backward({activations, cell_tanh, h_prev, c_prev, w_hh, mask_in});
    ctx->saved_data["reverse"] = reverse;
    ctx->saved_data["active"] = c10::List<int64_t>(active);
    return {outputs, h_last, c_last};
  }
  // Generic path (CUDA, double): the same step through LibTorch ops.
  torch::Tensor h = h0, c = c0;
  for (int64_t i = 0; i < T; ++i) {
    const int64_t t = reverse ? T - 1 - i : i;
    h_prev[t].copy_(h);
    c_prev[t].copy_(c);
    auto act = activations[t];
    torch::addmm_out(act, gates_x[t], h, w_hh_t);  // (B, G) pre-activations
    act.narrow(1, 0, 2 * H).sigmoid_();
    act.narrow(1, 2 * H, H).tanh_();
    act.narrow(1, 3 * H, H).sigmoid_();
    auto c_new = act.narrow(1, H, H) * c + act.narrow(1, 0, H) * act.narrow(1, 2 * H, H);
    auto tc = cell_tanh[t];
    torch::tanh_out(tc, c_new);
    auto h_new = act.narrow(1, 3 * H, H) * tc;
    if (masked) {
      auto m = mask[t];  // (B, 1)
      h = torch::lerp(h, h_new, m);  // m ? h_new : h
      c = torch::lerp(c, c_new, m);
      auto out_t = outputs[t];
      torch::mul_out(out_t, h, m);
    } else {
      h = h_new;
      c = c_new;
      outputs[t].copy_(h);
    }
  }
  ctx->save_for_backward({activations, cell_tanh, h_prev, c_prev, w_hh, mask});
  ctx->saved_data["reverse"] = reverse;
  return {outputs, h, c};
}

variable_list LSTMRecurrence::backward(AutogradContext* ctx, variable_list grad_outputs) {
  auto saved = ctx->get_saved_variables();
  const auto &activations = saved[0], &cell_tanh = saved[1], &h_prev = saved[2], &c_prev = saved[3],
             &w_hh = saved[4], &mask = saved[5];
  const bool reverse = ctx->saved_data["reverse"].toBool();
  const bool masked = mask.numel() > 0;
  const int64_t T = activations.size(0), B = activations.size(1), H = h_prev.size(2);
  auto options = activations.options();
  torch::Tensor grad_out = grad_outputs[0];
  torch::Tensor dh = grad_outputs[1].defined() ? grad_outputs[1].clone(torch::MemoryFormat::Contiguous) : torch::zeros({B, H}, options);
  torch::Tensor dc = grad_outputs[2].defined() ? grad_outputs[2].clone(torch::MemoryFormat::Contiguous) : torch::zeros({B, H}, options);
  auto d_gates = torch::empty({T, B, 4 * H}, options);  // gradient of the pre-activations
  if (activations.is_cpu() && activations.scalar_type() == torch::kFloat) {
    const auto active = ctx->saved_data["active"].toIntVector();
    const bool packed = !active.empty();
    auto grad_in = grad_out.defined() ? grad_out.contiguous() : grad_out;
    auto dh_next = torch::empty({B, H}, options);
    for (int64_t i = 0; i < T; ++i) {
      const int64_t t = reverse ? i : T - 1 - i;
      const int64_t n = packed ? active[t] : B;
      // After the cell: dh holds the share of dh that bypasses the cell (mask).
      if (n > 0)
        detail::lstm_cell_backward(activations[t].data_ptr<float>(), cell_tanh[t].data_ptr<float>(),
                                   c_prev[t].data_ptr<float>(), masked ? mask[t].data_ptr<float>() : nullptr,
                                   grad_in.defined() ? grad_in[t].data_ptr<float>() : nullptr, dh.data_ptr<float>(),
                                   dc.data_ptr<float>(), d_gates[t].data_ptr<float>(), n, H);
      if (masked) {
        torch::addmm_out(dh_next, dh, d_gates[t], w_hh);
      } else {
        // Carried-over rows: no gate gradient, dh and dc pass through.
        if (n > 0) {
          auto rows = dh_next.narrow(0, 0, n);
          torch::mm_out(rows, d_gates[t].narrow(0, 0, n), w_hh);
        }
        if (n < B) {
          d_gates[t].narrow(0, n, B - n).zero_();
          dh_next.narrow(0, n, B - n).copy_(dh.narrow(0, n, B - n));
        }
      }
      std::swap(dh, dh_next);
    }
    // Skipped when W_hh needs no gradient (Delta asks only for the input gates').
    auto d_w_hh = ctx->needs_input_grad(3) ? recurrent_weight_grad(d_gates, h_prev, active) : torch::Tensor();
    return {d_gates, dh, dc, d_w_hh, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
  for (int64_t i = 0; i < T; ++i) {
    const int64_t t = reverse ? i : T - 1 - i;  // backward visits steps in reverse processing order
    torch::Tensor m;
    if (masked) m = mask[t];
    if (grad_out.defined()) dh = masked ? dh + grad_out[t] * m : dh + grad_out[t];
    torch::Tensor dh_new = dh, dc_new = dc, dh_keep, dc_keep;
    if (masked) {
      // h = m h_new + (1 - m) h_prev: the pad share flows straight to h_prev.
      dh_new = dh * m;
      dc_new = dc * m;
      dh_keep = dh - dh_new;
      dc_keep = dc - dc_new;
    }
    auto act = activations[t];
    auto in = act.narrow(1, 0, H), forget = act.narrow(1, H, H), cell = act.narrow(1, 2 * H, H),
         out = act.narrow(1, 3 * H, H);
    auto tc = cell_tanh[t];
    dc_new = dc_new + dh_new * out * (1 - tc * tc);
    auto dg = d_gates[t];
    auto d_in = dg.narrow(1, 0, H), d_forget = dg.narrow(1, H, H), d_cell = dg.narrow(1, 2 * H, H),
         d_out = dg.narrow(1, 3 * H, H);
    torch::mul_out(d_in, dc_new * cell, in * (1 - in));
    torch::mul_out(d_forget, dc_new * c_prev[t], forget * (1 - forget));
    torch::mul_out(d_cell, dc_new * in, 1 - cell * cell);
    torch::mul_out(d_out, dh_new * tc, out * (1 - out));
    dc = dc_new * forget;
    dh = torch::mm(dg, w_hh);  // (B, G) x (G, H)
    if (masked) {
      dh = dh + dh_keep;
      dc = dc + dc_keep;
    }
  }
  auto d_w_hh = ctx->needs_input_grad(3) ? recurrent_weight_grad(d_gates, h_prev, {}) : torch::Tensor();
  return {d_gates, dh, dc, d_w_hh, torch::Tensor(), torch::Tensor(), torch::Tensor()};
}

}  // namespace attn::nn::detail
