// LSTM/GRU layer with hoisted input projection (see attn/nn/recurrent.h).
#include "attn/nn/recurrent.h"

#include "gru_function.h"
#include "lstm_function.h"
#include "packed_layout.h"

#include <ATen/Context.h>
#include <ATen/Functions.h>
#include <torch/nn/functional/embedding.h>
#include <torch/nn/init.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "attn/core/error.h"

namespace attn::nn {


RecurrentLayerImpl::RecurrentLayerImpl(const RecurrentLayerOptions& options) : options_(options) {
  reset();
}

void RecurrentLayerImpl::reset() {
  const int64_t G = gate_count() * options_.hidden_size();
  weight_ih = register_parameter("weight_ih", torch::empty({G, options_.input_size()}));
  weight_hh = register_parameter("weight_hh", torch::empty({G, options_.hidden_size()}));
  bias_ih = register_parameter("bias_ih", torch::empty({G}));
  bias_hh = register_parameter("bias_hh", torch::empty({G}));
  // PyTorch's RNN init: every weight U(-1/sqrt(H), 1/sqrt(H)).
  const double bound = 1.0 / std::sqrt(static_cast<double>(options_.hidden_size()));
  torch::NoGradGuard no_grad;
  for (auto& p : parameters()) p.uniform_(-bound, bound);
}

torch::Tensor RecurrentLayerImpl::input_gates(const torch::Tensor& x) const {
  // A GRU keeps b_hn inside r * (W_hn h + b_hn), so only the LSTM folds b_hh here.
  auto bias = options_.cell() == CellKind::kLSTM ? bias_ih + bias_hh : bias_ih;
  return torch::matmul(x, weight_ih.t()) + bias;  // (B, T, G)
}

torch::Tensor RecurrentLayerImpl::input_gates(const torch::Tensor& x, const torch::Tensor& mask) const {
  // On a GPU the padded positions cost less than finding the real ones
  // (nonzero() waits for the device), and forward() never reads them.
  if (!mask.defined() || !x.is_cpu()) return input_gates(x);
  const int64_t B = x.size(0), T = x.size(1);
  // Only real tokens go through the GEMM; padded positions get zeros, which
  // forward() never reads.
  auto real = mask.reshape({B * T}).nonzero().squeeze(1);
  auto packed = input_gates(x.reshape({B * T, x.size(2)}).index_select(0, real));  // (N, G)
  return torch::zeros({B * T, packed.size(1)}, packed.options()).index_copy(0, real, packed).view({B, T, -1});
}

torch::Tensor RecurrentLayerImpl::input_gates_from_embedding(const torch::Tensor& table,
                                                             const torch::Tensor& tokens) const {
  auto projected_table = input_gates(table);  // (V, G)
  // Gathered time-major, returned as a (B, T, G) view: forward() walks time
  // steps and then needs no transposing copy of this, the largest tensor.
  return torch::nn::functional::embedding(tokens.t(), projected_table).transpose(0, 1);  // (B, T, G)
}

RecurrentOutput RecurrentLayerImpl::forward(const torch::Tensor& gates, const torch::Tensor& mask,
                                            const RecurrentState& initial) {
  const int64_t B = gates.size(0), T = gates.size(1), H = options_.hidden_size();
  const bool lstm = options_.cell() == CellKind::kLSTM;
  auto zeros = torch::zeros({B, H}, gates.options());
  torch::Tensor h = initial.h.defined() ? initial.h : zeros;
  torch::Tensor c = lstm ? (initial.c.defined() ? initial.c : zeros) : torch::Tensor();
  const bool fused = gates.is_cpu() && gates.scalar_type() == torch::kFloat;
  if (lstm && fused && mask.defined()) {
    if (auto by_length = detail::packed_layout(mask)) {
      // Longest rows first, so that step t computes only the rows still running.
      auto result = detail::LSTMRecurrence::apply(
          gates.transpose(0, 1).index_select(1, by_length->order).contiguous(), h.index_select(0, by_length->order),
          c.index_select(0, by_length->order), weight_hh, torch::empty({0}, gates.options()), options_.reverse(),
          by_length->active);
      return {result[0].index_select(1, by_length->inverse).transpose(0, 1),  // (B, T, H)
              {result[1].index_select(0, by_length->inverse), result[2].index_select(0, by_length->inverse)}};
    }
  }
  // (T, B, 1) float; empty (numel 0) without padding, since autograd
  // functions take no undefined tensors.
  const torch::Tensor step_mask = mask.defined() ? mask.transpose(0, 1).unsqueeze(-1).to(gates.dtype())
                                                 : torch::empty({0}, gates.options());
  if (lstm) {
    // One autograd node (lstm_function.h), fused cell on CPU float.
    auto result = detail::LSTMRecurrence::apply(gates.transpose(0, 1).contiguous(), h, c, weight_hh, step_mask,
                                                options_.reverse(), std::vector<int64_t>{});
    return {result[0].transpose(0, 1), {result[1], result[2]}};  // (B, T, H)
  }
  if (fused) {
    auto result = detail::GRURecurrence::apply(gates.transpose(0, 1).contiguous(), h, weight_hh, bias_hh, step_mask,
                                               options_.reverse());
    return {result[0].transpose(0, 1), {result[1], {}}};  // (B, T, H)
  }
  // Other devices and dtypes: the GRU step by step through autograd.
  // unbind, not indexing: one backward node that stacks the step gradients,
  // instead of one zero-filled (T, B, G) gradient per step.
  auto gates_by_time = gates.transpose(0, 1).unbind(0);  // T x (B, G)
  std::vector<torch::Tensor> masks_by_time;
  if (mask.defined()) masks_by_time = step_mask.unbind(0);  // T x (B, 1)
  auto w_hh_t = weight_hh.t();                                                                   // (H, G)

  std::vector<torch::Tensor> outputs(T);
  for (int64_t i = 0; i < T; ++i) {
    const int64_t t = options_.reverse() ? T - 1 - i : i;
    auto hh = torch::addmm(bias_hh, h, w_hh_t).chunk(3, 1);  // 3 x (B, H): r, z, n
    auto gx = gates_by_time[t].chunk(3, 1);
    auto r = (gx[0] + hh[0]).sigmoid(), z = (gx[1] + hh[1]).sigmoid();
    auto n = (gx[2] + r * hh[2]).tanh();
    auto h_new = n + z * (h - n);  // (1 - z) * n + z * h
    if (!masks_by_time.empty()) {
      // Padding keeps the previous state, so the reverse direction starts at
      // each sequence's own last token and finals are per-sequence.
      auto m = masks_by_time[t];  // (B, 1)
      h = m * h_new + (1 - m) * h;
      outputs[t] = h * m;
    } else {
      h = h_new;
      outputs[t] = h;
    }
  }
  return {torch::stack(outputs, 1), {h, {}}};  // (B, T, H)
}

RecurrentOutput RecurrentLayerImpl::forward_library(const torch::Tensor& x, const torch::Tensor& mask,
                                                    const RecurrentState& initial) {
  const int64_t B = x.size(0), T = x.size(1), H = options_.hidden_size();
  const bool lstm = options_.cell() == CellKind::kLSTM;
  auto zeros = torch::zeros({1, B, H}, x.options());
  torch::Tensor h0 = initial.h.defined() ? initial.h.unsqueeze(0) : zeros;                          // (1, B, H)
  torch::Tensor c0 = lstm ? (initial.c.defined() ? initial.c.unsqueeze(0) : zeros) : torch::Tensor();  // (1, B, H)
  // PyTorch's own order and meaning of the four tensors, which this layer shares.
  const std::vector<torch::Tensor> params = {weight_ih, weight_hh, bias_ih, bias_hh};
  const bool train = is_training();

  if (!mask.defined()) {
    // The reverse direction is the forward recurrence over the flipped sequence.
    auto input = options_.reverse() ? x.flip(1) : x;  // (B, T, I)
    torch::Tensor out, hy, cy;
    if (lstm)
      std::tie(out, hy, cy) = at::lstm(input, {h0, c0}, params, true, 1, 0.0, train, false, /*batch_first=*/true);
    else
      std::tie(out, hy) = at::gru(input, h0, params, true, 1, 0.0, train, false, /*batch_first=*/true);
    if (options_.reverse()) out = out.flip(1);  // (B, T, H)
    return {out, {hy.squeeze(0), lstm ? cy.squeeze(0) : torch::Tensor()}};
  }

  // Padding: a packed sequence, which needs the lengths on the host, longest first.
  auto [sorted_lengths, order_cpu] = mask.sum(1).to(torch::kCPU).sort(0, /*descending=*/true);  // (B), (B)
  check(B == 0 || sorted_lengths[B - 1].item<int64_t>() > 0,
        "recurrent layer: a sequence without any real token (mask row all false)");
  auto order = order_cpu.to(x.device());
  auto inverse = order.argsort();
  auto input = x.index_select(0, order);  // (B, T, I) longest first
  torch::Tensor within;                   // (B, T) reverses each row's real part, leaves padding
  if (options_.reverse()) {
    auto index = torch::arange(T, torch::kInt64).expand({B, T}).clone();
    auto rows = index.accessor<int64_t, 2>();
    auto lengths = sorted_lengths.accessor<int64_t, 1>();
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t < lengths[b]; ++t) rows[b][t] = lengths[b] - 1 - t;
    within = index.to(x.device());
    input = input.gather(1, within.unsqueeze(2).expand({B, T, x.size(2)}));
  }
  auto [data, batch_sizes] = at::_pack_padded_sequence(input, sorted_lengths, /*batch_first=*/true);
  torch::Tensor out, hy, cy;
  if (lstm)
    std::tie(out, hy, cy) = at::lstm(data, batch_sizes, {h0.index_select(1, order), c0.index_select(1, order)},
                                     params, true, 1, 0.0, train, false);
  else
    std::tie(out, hy) = at::gru(data, batch_sizes, h0.index_select(1, order), params, true, 1, 0.0, train, false);
  auto outputs = std::get<0>(at::_pad_packed_sequence(out, batch_sizes, /*batch_first=*/true, 0, T));  // (B, T, H)
  if (options_.reverse()) outputs = outputs.gather(1, within.unsqueeze(2).expand({B, T, H}));
  return {outputs.index_select(0, inverse),
          {hy.squeeze(0).index_select(0, inverse), lstm ? cy.squeeze(0).index_select(0, inverse) : torch::Tensor()}};
}

RecurrentOutput RecurrentLayerImpl::forward_tokens(const torch::Tensor& table, const torch::Tensor& tokens,
                                                   const torch::Tensor& mask, const RecurrentState& initial) {
  if (recurrence_route(table.device()) == RecurrenceRoute::kLibrary)
    return forward_library(torch::nn::functional::embedding(tokens, table), mask, initial);
  return forward(input_gates_from_embedding(table, tokens), mask, initial);
}

RecurrentOutput RecurrentLayerImpl::forward_inputs(const torch::Tensor& x, const torch::Tensor& mask,
                                                   const RecurrentState& initial) {
  if (recurrence_route(x.device()) == RecurrenceRoute::kLibrary) return forward_library(x, mask, initial);
  return forward(input_gates(x, mask), mask, initial);
}

RecurrenceRoute recurrence_route(const torch::Device& device) {
  if (const char* forced = std::getenv("ATTN_RECURRENCE")) {
    if (std::strcmp(forced, "library") == 0) return RecurrenceRoute::kLibrary;
    if (std::strcmp(forced, "hand-written") == 0) return RecurrenceRoute::kHandWritten;
    throw Error(fmt::format("ATTN_RECURRENCE: expected library or hand-written, got '{}'", forced));
  }
  return device.is_cuda() ? RecurrenceRoute::kLibrary : RecurrenceRoute::kHandWritten;
}

std::string describe_recurrence(const torch::Device& device) {
  if (recurrence_route(device) == RecurrenceRoute::kLibrary) {
    if (!device.is_cuda()) return "libtorch-" + c10::DeviceTypeName(device.type(), /*lower_case=*/true);
    return at::globalContext().userEnabledCuDNN() && at::globalContext().hasCuDNN() ? "cudnn" : "libtorch-cuda";
  }
  return device.is_cpu() ? "fused-cpu" : "step-by-step";
}

RecurrentState EncoderOutput::mean_final() const {
  if (finals.size() == 1) return finals[0];
  RecurrentState mean{(finals[0].h + finals[1].h) / 2, {}};
  if (finals[0].c.defined()) mean.c = (finals[0].c + finals[1].c) / 2;
  return mean;
}

}  // namespace attn::nn
