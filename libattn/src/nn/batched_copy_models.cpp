// R copy models as one batched model (see attn/nn/batched_copy_models.h).
#include "attn/nn/batched_copy_models.h"

#include <torch/nn/functional/embedding.h>

#include <functional>

#include "attn/core/error.h"
#include "attn/nn/copy_models.h"
#include "batched_recurrence.h"

namespace attn::nn {

namespace {

using torch::Tensor;

// [R, ...] stack of one parameter of every run (undefined if the first
// run's is: optional biases).
template <typename Model>
Tensor stack(const std::vector<Model*>& models, const std::function<Tensor(Model&)>& get) {
  if (!get(*models[0]).defined()) return {};
  std::vector<Tensor> parts;
  for (auto* m : models) parts.push_back(get(*m));
  return torch::stack(parts);
}

// One recurrent layer of every run, stacked.
struct StackedLayer {
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;  // (R, G, I), (R, G, H), (R, G), (R, G)
  bool lstm = true, reverse = false;
};

template <typename Model>
StackedLayer stack_layer(const std::vector<Model*>& models, const std::function<RecurrentLayerImpl&(Model&)>& get) {
  StackedLayer s;
  s.weight_ih = stack<Model>(models, [&](Model& m) { return get(m).weight_ih; });
  s.weight_hh = stack<Model>(models, [&](Model& m) { return get(m).weight_hh; });
  s.bias_ih = stack<Model>(models, [&](Model& m) { return get(m).bias_ih; });
  s.bias_hh = stack<Model>(models, [&](Model& m) { return get(m).bias_hh; });
  s.lstm = get(*models[0]).options().cell() == CellKind::kLSTM;
  s.reverse = get(*models[0]).options().reverse();
  return s;
}

// Input-gate pre-activations through each run's embedding table, time-major:
// tables (R, V, E), tokens (R, B, T) -> (T, R*B, G). As RecurrentLayer's
// input_gates_from_embedding: the table is projected once, then gathered.
Tensor gates_from_embedding(const StackedLayer& layer, const Tensor& tables, const Tensor& tokens) {
  const int64_t R = tokens.size(0), B = tokens.size(1), T = tokens.size(2), V = tables.size(1);
  // A GRU keeps b_hn inside r * (W_hn h + b_hn), so only the LSTM folds b_hh here.
  auto bias = layer.lstm ? layer.bias_ih + layer.bias_hh : layer.bias_ih;                // (R, G)
  auto projected = torch::matmul(tables, layer.weight_ih.transpose(1, 2)) + bias.unsqueeze(1);  // (R, V, G)
  auto offsets = torch::arange(R, tokens.options()).mul_(V).view({1, R, 1});
  auto ids = tokens.permute({2, 0, 1}) + offsets;  // (T, R, B) rows of the (R*V, G) table
  return torch::nn::functional::embedding(ids, projected.reshape({R * V, -1})).view({T, R * B, -1});  // (T, R*B, G)
}

// The generic recurrence (CUDA, double): the same step through autograd.
std::vector<Tensor> generic_recurrence(const StackedLayer& layer, const Tensor& gates, const Tensor& mask,
                                       Tensor h, Tensor c) {
  const int64_t T = gates.size(0), RB = gates.size(1), R = layer.weight_hh.size(0), B = RB / R;
  auto w_t = layer.weight_hh.transpose(1, 2);  // (R, H, G)
  auto steps = gates.unbind(0);                // T x (R*B, G)
  std::vector<Tensor> outputs(T);
  for (int64_t i = 0; i < T; ++i) {
    const int64_t t = layer.reverse ? T - 1 - i : i;
    Tensor h_new, c_new;
    if (layer.lstm) {
      auto g = torch::baddbmm(steps[t].view({R, B, -1}), h.view({R, B, -1}), w_t).view({RB, -1}).chunk(4, 1);
      c_new = g[1].sigmoid() * c + g[0].sigmoid() * g[2].tanh();
      h_new = g[3].sigmoid() * c_new.tanh();
    } else {
      auto hh = torch::baddbmm(layer.bias_hh.unsqueeze(1), h.view({R, B, -1}), w_t).view({RB, -1}).chunk(3, 1);
      auto gx = steps[t].chunk(3, 1);
      auto r = (gx[0] + hh[0]).sigmoid(), z = (gx[1] + hh[1]).sigmoid();
      auto n = (gx[2] + r * hh[2]).tanh();
      h_new = n + z * (h - n);
    }
    if (mask.numel() > 0) {
      auto m = mask[t];  // (R*B, 1)
      h = torch::lerp(h, h_new, m);
      if (layer.lstm) c = torch::lerp(c, c_new, m);
      outputs[t] = h * m;
    } else {
      h = h_new;
      c = c_new;
      outputs[t] = h;
    }
  }
  return {torch::stack(outputs), h, c};
}

struct LayerOutput {
  Tensor outputs;  // (T, R*B, H)
  Tensor h, c;     // (R*B, H); c undefined for a GRU
};

LayerOutput run_layer(const StackedLayer& layer, const Tensor& gates, const Tensor& mask, const Tensor& h0,
                      const Tensor& c0) {
  const int64_t RB = gates.size(1), H = layer.weight_hh.size(2);
  auto zeros = torch::zeros({RB, H}, gates.options());
  Tensor h = h0.defined() ? h0 : zeros, c = layer.lstm ? (c0.defined() ? c0 : zeros) : Tensor();
  // (T, R*B, 1) float, or empty without padding (autograd functions take no undefined tensors).
  const Tensor step_mask = mask.defined() ? mask.to(gates.dtype()) : torch::empty({0}, gates.options());
  if (gates.is_cpu() && gates.scalar_type() == torch::kFloat) {
    if (layer.lstm) {
      auto r = detail::BatchedLSTMRecurrence::apply(gates, h, c, layer.weight_hh, step_mask, layer.reverse);
      return {r[0], r[1], r[2]};
    }
    auto r = detail::BatchedGRURecurrence::apply(gates, h, layer.weight_hh, layer.bias_hh, step_mask, layer.reverse);
    return {r[0], r[1], {}};
  }
  auto r = generic_recurrence(layer, gates, step_mask, h, c);
  return {r[0], r[1], r[2]};
}

// (T, R*B, H) time-major -> (R, B, T, H).
Tensor run_major(const Tensor& time_major, int64_t R) {
  const int64_t T = time_major.size(0), B = time_major.size(1) / R;
  return time_major.view({T, R, B, -1}).permute({1, 2, 0, 3});
}

// PAPER.md 2.1 / 2.4 attention of R runs: queries (R, B, T, Q), keys (R, B, L, K),
// key_mask (R, B, L) bool or undefined -> context (R, B, T, C). As AttentionImpl::forward.
Tensor batched_attention(const std::vector<AttentionImpl*>& heads, const Tensor& queries, const Tensor& keys,
                         const Tensor& key_mask) {
  const int64_t R = queries.size(0), B = queries.size(1), T = queries.size(2), L = keys.size(2);
  const auto& o = heads[0]->options();
  const int64_t H = o.heads(), K = o.key_size();
  // Runs with learned attention; a uniform run's logits are zeros and its
  // query parameters stay out of the graph (no gradient, as alone).
  std::vector<int64_t> learned;
  for (int64_t r = 0; r < R; ++r)
    if (!heads[r]->uniform()) learned.push_back(r);
  Tensor logits;  // (R, B, H, T, L)
  if (learned.empty()) {
    logits = torch::zeros({R, B, H, T, L}, queries.options());
  } else {
    std::vector<AttentionImpl*> active;
    for (auto r : learned) active.push_back(heads[r]);
    const int64_t n = static_cast<int64_t>(learned.size());
    auto index = torch::tensor(learned, torch::TensorOptions().dtype(torch::kLong).device(queries.device()));
    auto q_in = n == R ? queries : queries.index_select(0, index);  // (n, B, T, Q)
    auto k_in = n == R ? keys : keys.index_select(0, index);         // (n, B, L, K)
    auto weight = stack<AttentionImpl>(active, [](AttentionImpl& a) { return a.query_weight; });  // (n, H, K, Q)
    auto bias = stack<AttentionImpl>(active, [](AttentionImpl& a) { return a.query_bias; });     // (n, H, K)
    // All heads' query projections as one (B*T, Q) x (Q, H*K) product per run.
    auto q = torch::bmm(q_in.reshape({n, B * T, -1}), weight.reshape({n, H * K, -1}).transpose(1, 2));  // (n, B*T, H*K)
    if (bias.defined()) q = q + bias.reshape({n, 1, H * K});
    q = q.view({n, B, T, H, K}).transpose(2, 3);                              // (n, B, H, T, K)
    auto part = torch::matmul(q, k_in.transpose(2, 3).unsqueeze(2));           // (n, B, H, T, L)
    if (n == R) {
      logits = part;
    } else {
      std::vector<Tensor> rows(R);
      auto parts = part.unbind(0);
      for (int64_t i = 0; i < n; ++i) rows[learned[i]] = parts[i];
      for (auto& row : rows)
        if (!row.defined()) row = torch::zeros({B, H, T, L}, queries.options());
      logits = torch::stack(rows);
    }
  }
  if (key_mask.defined()) logits = logits.masked_fill(key_mask.logical_not().view({R, B, 1, 1, L}), kMaskedLogit);
  auto weights = torch::softmax(logits, -1);                              // (R, B, H, T, L)
  auto summaries = torch::matmul(weights, keys.unsqueeze(2));             // (R, B, H, T, K)
  auto stacked = summaries.transpose(2, 3).reshape({R, B * T, H * K});    // (R, B*T, H*K)
  auto context_weight = stack<AttentionImpl>(heads, [](AttentionImpl& a) { return a.context_weight; });  // (R, H, C, K)
  auto weight = context_weight.transpose(1, 2).reshape({R, -1, H * K});   // (R, C, H*K)
  auto context = torch::bmm(stacked, weight.transpose(1, 2));             // (R, B*T, C)
  if (H > 1) context = context / static_cast<double>(H);
  auto context_bias = stack<AttentionImpl>(heads, [](AttentionImpl& a) { return a.context_bias; });  // (R, H, C)
  if (context_bias.defined()) context = context + context_bias.mean(1).unsqueeze(1);
  return context.view({R, B, T, -1});                                     // (R, B, T, C)
}

// Readout of R runs: states (R, B, T, D), contexts (R, B, T, C) -> logits (R, B, T, V).
Tensor batched_readout(const std::vector<ReadoutImpl*>& readouts, const Tensor& states, const Tensor& contexts) {
  const int64_t R = states.size(0), B = states.size(1), T = states.size(2);
  auto linear = [&](const Tensor& x, const std::function<torch::nn::LinearImpl&(ReadoutImpl&)>& get) {
    auto w = stack<ReadoutImpl>(readouts, [&](ReadoutImpl& r) { return get(r).weight; });  // (R, out, in)
    auto b = stack<ReadoutImpl>(readouts, [&](ReadoutImpl& r) { return get(r).bias; });    // (R, out) or undefined
    auto y = torch::bmm(x.reshape({R, B * T, -1}), w.transpose(1, 2));                   // (R, B*T, out)
    return b.defined() ? y + b.unsqueeze(1) : y;
  };
  auto combined = linear(states, [](ReadoutImpl& r) -> torch::nn::LinearImpl& { return *r.state_in; }) +
                  linear(contexts, [](ReadoutImpl& r) -> torch::nn::LinearImpl& { return *r.context_in; });
  auto hidden = readouts[0]->options().activation() == Activation::kTanh ? combined.tanh() : combined.relu();
  return linear(hidden, [](ReadoutImpl& r) -> torch::nn::LinearImpl& { return *r.output; }).view({R, B, T, -1});
}

template <typename Model>
std::vector<Model*> cast_all(const std::vector<Seq2SeqModel*>& models) {
  std::vector<Model*> out;
  for (auto* m : models) {
    auto* typed = dynamic_cast<Model*>(m);
    check(typed != nullptr, "batched runs: every run must use the same copy architecture");
    out.push_back(typed);
  }
  for (auto* m : out) {
    const auto &a = m->options(), &b = out[0]->options();
    check(a.vocab_size() == b.vocab_size() && a.embedding_dim() == b.embedding_dim() &&
              a.hidden_size() == b.hidden_size() && a.bidirectional() == b.bidirectional() && a.heads() == b.heads(),
          "batched runs: every run's model must have the same shape");
  }
  return out;
}

// (R, B, S) bool -> (S, R*B, 1): the recurrences' step mask.
Tensor step_mask(const Tensor& mask) {
  if (!mask.defined()) return {};
  const int64_t R = mask.size(0), B = mask.size(1), S = mask.size(2);
  return mask.reshape({R * B, S}).t().unsqueeze(-1);
}

}  // namespace

BatchedCopyOutput batched_copy_forward(const std::vector<Seq2SeqModel*>& models, const torch::Tensor& source,
                                       const torch::Tensor& source_mask, const torch::Tensor& target_in) {
  check(!models.empty(), "batched runs: no models");
  const int64_t R = static_cast<int64_t>(models.size());
  check(source.dim() == 3 && source.size(0) == R && target_in.dim() == 3 && target_in.size(0) == R &&
            target_in.size(1) == source.size(1),
        "batched runs: expected source (R, B, S) and target_in (R, B, T) for R = {} runs", R);
  const auto mask = step_mask(source_mask);  // (S, R*B, 1) or undefined
  std::vector<AttentionImpl*> attention;
  std::vector<ReadoutImpl*> readout;
  for (auto* m : models) {
    attention.push_back(&m->attention());
    readout.push_back(&m->readout());
  }
  Tensor decoded, encoded;  // (R, B, T, D), (R, B, S, K)
  if (models[0]->architecture() == Architecture::kLstm) {
    auto lstm = cast_all<CopySeq2SeqImpl>(models);
    using M = CopySeq2SeqImpl;
    auto tables = stack<M>(lstm, [](M& m) { return m.embedding->weight; });  // (R, V, E)
    auto forward = stack_layer<M>(lstm, [](M& m) -> RecurrentLayerImpl& { return *m.encoder_forward; });
    auto fwd = run_layer(forward, gates_from_embedding(forward, tables, source), mask, {}, {});
    Tensor h0 = fwd.h, c0 = fwd.c;
    encoded = run_major(fwd.outputs, R);  // (R, B, S, D)
    if (lstm[0]->options().bidirectional()) {
      auto backward = stack_layer<M>(lstm, [](M& m) -> RecurrentLayerImpl& { return *m.encoder_backward; });
      auto bwd = run_layer(backward, gates_from_embedding(backward, tables, source), mask, {}, {});
      encoded = torch::cat({encoded, run_major(bwd.outputs, R)}, -1);  // (R, B, S, 2D)
      // PAPER.md 2.1: the decoder starts from the directions' mean final state.
      h0 = (fwd.h + bwd.h) / 2;
      c0 = (fwd.c + bwd.c) / 2;
    }
    auto decoder = stack_layer<M>(lstm, [](M& m) -> RecurrentLayerImpl& { return *m.decoder; });
    decoded = run_major(run_layer(decoder, gates_from_embedding(decoder, tables, target_in), {}, h0, c0).outputs, R);
  } else if (models[0]->architecture() == Architecture::kMultiheadGru) {
    auto gru = cast_all<MultiHeadCopyImpl>(models);
    using M = MultiHeadCopyImpl;
    auto source_tables = stack<M>(gru, [](M& m) { return m.source_embedding->weight; });  // (R, V, E)
    auto target_tables = stack<M>(gru, [](M& m) { return m.target_embedding->weight; });  // (R, V, E)
    auto encoder = stack_layer<M>(gru, [](M& m) -> RecurrentLayerImpl& { return *m.encoder; });
    auto enc = run_layer(encoder, gates_from_embedding(encoder, source_tables, source), mask, {}, {});
    encoded = run_major(enc.outputs, R);  // (R, B, S, D)
    auto decoder = stack_layer<M>(gru, [](M& m) -> RecurrentLayerImpl& { return *m.decoder; });
    decoded = run_major(run_layer(decoder, gates_from_embedding(decoder, target_tables, target_in), {}, enc.h, {}).outputs, R);
  } else {
    throw Error("batched runs: only the copy architectures (lstm, multihead_gru) can be batched");
  }
  auto context = batched_attention(attention, decoded, encoded, source_mask);  // (R, B, T, C)
  auto logits = batched_readout(readout, decoded, context);                    // (R, B, T, V)
  return {torch::log_softmax(logits, -1)};
}

torch::Tensor per_run_nll(const torch::Tensor& log_probs, const torch::Tensor& target_out) {
  auto gold = log_probs.gather(-1, target_out.unsqueeze(-1)).squeeze(-1);  // (R, B, T)
  return -gold.mean({1, 2});                                               // (R)
}

}  // namespace attn::nn
