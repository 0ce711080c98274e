// The copy models' composition (PAPER.md 2.1, 2.4) against a forward pass
// composed by hand, in double precision, from the model's own registered
// parameters: embedding lookups, the LSTM / GRU cell equations of PyTorch run
// step by step over each example's real tokens, attention, context and readout
// written out from the paper's equations. Only the parameters are shared with
// the library; the wiring is the paper's. A padded batch (with junk tokens in
// the padding) checks that padding reaches neither the encoder's final state
// nor the attention, and the bidirectional case checks that the decoder starts
// from the mean of the two directions' final (h, c), not from one direction.
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "attn/nn/copy_models.h"
#include "seeding.h"

using attn::nn::CopyModelOptions;
using torch::Tensor;

namespace {

Tensor dbl(const Tensor& t) { return t.detach().to(torch::kDouble); }

/// PyTorch's LSTM cell, gates (i, f, g, o): one step for one example.
std::pair<Tensor, Tensor> lstm_step(attn::nn::RecurrentLayerImpl& layer, const Tensor& x, const Tensor& h,
                                    const Tensor& c) {
  auto gates = torch::mv(dbl(layer.weight_ih), x) + dbl(layer.bias_ih) + torch::mv(dbl(layer.weight_hh), h) +
               dbl(layer.bias_hh);
  auto g = gates.chunk(4);
  auto i = g[0].sigmoid(), f = g[1].sigmoid(), cell = g[2].tanh(), o = g[3].sigmoid();
  auto c_next = f * c + i * cell;
  return {o * c_next.tanh(), c_next};
}

/// PyTorch's GRU cell, gates (r, z, n): n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
Tensor gru_step(attn::nn::RecurrentLayerImpl& layer, const Tensor& x, const Tensor& h) {
  auto gi = (torch::mv(dbl(layer.weight_ih), x) + dbl(layer.bias_ih)).chunk(3);
  auto gh = (torch::mv(dbl(layer.weight_hh), h) + dbl(layer.bias_hh)).chunk(3);
  auto r = (gi[0] + gh[0]).sigmoid(), z = (gi[1] + gh[1]).sigmoid();
  auto n = (gi[2] + r * gh[2]).tanh();
  return (1 - z) * n + z * h;
}

/// softmax over the first n positions of `scores` (S), zero beyond: the -1e9
/// mask of PAPER.md 2 taken to its limit.
Tensor masked_softmax(const Tensor& scores, int64_t n) {
  auto alpha = torch::zeros_like(scores);
  alpha.narrow(0, 0, n).copy_(torch::softmax(scores.narrow(0, 0, n), 0));
  return alpha;
}

/// A right-padded batch: `lengths` real tokens per row, random tokens
/// everywhere (also in the padding, which the model must ignore).
struct Batch {
  Tensor source, mask, target_in;
  std::vector<int64_t> lengths;
};

Batch padded_batch(int64_t vocab, int64_t S, int64_t T, std::vector<int64_t> lengths) {
  const auto B = static_cast<int64_t>(lengths.size());
  Batch batch;
  batch.source = torch::randint(0, vocab, {B, S}, torch::kInt64);
  batch.target_in = torch::randint(0, vocab, {B, T}, torch::kInt64);
  batch.mask = torch::arange(S).unsqueeze(0) < torch::tensor(lengths).unsqueeze(1);  // (B, S) bool
  batch.lengths = std::move(lengths);
  return batch;
}

/// Expected model outputs for one example, in double.
struct Expected {
  Tensor log_probs;       // (T, V)
  Tensor attention;       // (T, S) mean over heads
  Tensor head_attention;  // (H, T, S)
  Tensor decoder_states;  // (T, D)
  Tensor encoder_states;  // (n, K) real positions only
};

void compare(const attn::nn::Seq2SeqOutput& out, const Batch& batch, const std::vector<Expected>& expected) {
  constexpr double kRtol = 1e-5, kAtol = 1e-5;  // float model vs double reference
  for (size_t b = 0; b < expected.size(); ++b) {
    const auto i = static_cast<int64_t>(b);
    const int64_t n = batch.lengths[b];
    INFO("example " << b << " with " << n << " real source tokens");
    const auto& e = expected[b];
    CHECK(torch::allclose(dbl(out.encoder_states[i]).narrow(0, 0, n), e.encoder_states, kRtol, kAtol));
    CHECK(torch::allclose(dbl(out.decoder_states[i]), e.decoder_states, kRtol, kAtol));
    CHECK(torch::allclose(dbl(out.head_attention[i]), e.head_attention, kRtol, kAtol));
    CHECK(torch::allclose(dbl(out.attention[i]), e.attention, kRtol, kAtol));
    CHECK(torch::allclose(dbl(out.log_probs[i]), e.log_probs, kRtol, kAtol));
  }
}

/// PAPER.md 2.1 for one example, from the registered parameters of `model`.
Expected compose_lstm(attn::nn::CopySeq2SeqImpl& model, const Batch& batch, int64_t b) {
  const bool bidirectional = model.options().bidirectional();
  const int64_t D = model.options().hidden_size(), S = batch.source.size(1), T = batch.target_in.size(1);
  const int64_t n = batch.lengths[static_cast<size_t>(b)];
  auto table = dbl(model.embedding->weight);  // one table for source and target
  auto embed = [&](const Tensor& ids, int64_t t) { return table[ids[b][t].item<int64_t>()]; };

  // Encoder, forward direction over the real tokens 0 .. n-1.
  std::vector<Tensor> forward_states(static_cast<size_t>(n)), backward_states(static_cast<size_t>(n));
  Tensor h = torch::zeros({D}, torch::kDouble), c = torch::zeros({D}, torch::kDouble);
  for (int64_t l = 0; l < n; ++l) {
    std::tie(h, c) = lstm_step(*model.encoder_forward, embed(batch.source, l), h, c);
    forward_states[static_cast<size_t>(l)] = h;
  }
  Tensor h0 = h, c0 = c;
  std::vector<Tensor> keys;
  if (bidirectional) {
    // Backward direction from the last real token n-1 down to 0.
    Tensor hb = torch::zeros({D}, torch::kDouble), cb = torch::zeros({D}, torch::kDouble);
    for (int64_t l = n - 1; l >= 0; --l) {
      std::tie(hb, cb) = lstm_step(*model.encoder_backward, embed(batch.source, l), hb, cb);
      backward_states[static_cast<size_t>(l)] = hb;
    }
    // The decoder starts from the directions' mean final (h, c).
    h0 = (h + hb) / 2;
    c0 = (c + cb) / 2;
    for (int64_t l = 0; l < n; ++l)
      keys.push_back(torch::cat({forward_states[static_cast<size_t>(l)], backward_states[static_cast<size_t>(l)]}));
  } else {
    keys = forward_states;
  }
  auto key_matrix = torch::stack(keys);  // (n, K)

  // Decoder fed the previous gold token (target_in), from the encoder's final state.
  std::vector<Tensor> decoder_states;
  h = h0;
  c = c0;
  for (int64_t t = 0; t < T; ++t) {
    std::tie(h, c) = lstm_step(*model.decoder, embed(batch.target_in, t), h, c);
    decoder_states.push_back(h);
  }

  // s_{t,l} = (W_a d_t + b_a) . h_l; c_t = W_p sum_l alpha h_l + b_p;
  // log_softmax(W_o tanh(W_c [d_t ; c_t] + b_c) + b_o).
  auto& attention = *model.attention_module;
  REQUIRE(attention.options().heads() == 1);
  auto W_a = dbl(attention.query_weight[0]), b_a = dbl(attention.query_bias[0]);
  auto W_p = dbl(attention.context_weight[0]), b_p = dbl(attention.context_bias[0]);
  auto& readout = *model.readout_module;
  auto W_c = torch::cat({dbl(readout.state_in->weight), dbl(readout.context_in->weight)}, 1);  // (M, D + C)
  auto b_c = dbl(readout.state_in->bias), W_o = dbl(readout.output->weight), b_o = dbl(readout.output->bias);

  Expected e;
  std::vector<Tensor> alphas, log_probs;
  for (int64_t t = 0; t < T; ++t) {
    const auto& d = decoder_states[static_cast<size_t>(t)];
    auto scores = torch::zeros({S}, torch::kDouble);
    scores.narrow(0, 0, n).copy_(torch::mv(key_matrix, torch::mv(W_a, d) + b_a));
    auto alpha = masked_softmax(scores, n);
    auto context = torch::mv(W_p, torch::mv(key_matrix.t(), alpha.narrow(0, 0, n))) + b_p;
    auto logits = torch::mv(W_o, (torch::mv(W_c, torch::cat({d, context})) + b_c).tanh()) + b_o;
    alphas.push_back(alpha);
    log_probs.push_back(torch::log_softmax(logits, 0));
  }
  e.attention = torch::stack(alphas);
  e.head_attention = e.attention.unsqueeze(0);
  e.log_probs = torch::stack(log_probs);
  e.decoder_states = torch::stack(decoder_states);
  e.encoder_states = key_matrix;
  return e;
}

/// PAPER.md 2.4 for one example: separate embeddings, GRUs, H bias-free heads
/// averaged, readout W_o tanh(W_c [c_t ; d_t]) without biases.
Expected compose_multihead(attn::nn::MultiHeadCopyImpl& model, const Batch& batch, int64_t b) {
  const int64_t D = model.options().hidden_size(), S = batch.source.size(1), T = batch.target_in.size(1);
  const int64_t n = batch.lengths[static_cast<size_t>(b)];
  auto source_table = dbl(model.source_embedding->weight), target_table = dbl(model.target_embedding->weight);

  std::vector<Tensor> keys;
  Tensor h = torch::zeros({D}, torch::kDouble);
  for (int64_t l = 0; l < n; ++l) {
    h = gru_step(*model.encoder, source_table[batch.source[b][l].item<int64_t>()], h);
    keys.push_back(h);
  }
  auto key_matrix = torch::stack(keys);  // (n, D)
  std::vector<Tensor> decoder_states;    // decoder starts from the encoder's last state
  for (int64_t t = 0; t < T; ++t) {
    h = gru_step(*model.decoder, target_table[batch.target_in[b][t].item<int64_t>()], h);
    decoder_states.push_back(h);
  }

  auto& attention = *model.attention_module;
  const int64_t H = attention.options().heads();
  REQUIRE_FALSE(attention.query_bias.defined());
  REQUIRE_FALSE(attention.context_bias.defined());
  auto& readout = *model.readout_module;
  REQUIRE_FALSE(readout.state_in->bias.defined());
  REQUIRE_FALSE(readout.output->bias.defined());
  // W_c acts on [c ; d]: its context half is context_in, its state half state_in.
  auto W_c = torch::cat({dbl(readout.context_in->weight), dbl(readout.state_in->weight)}, 1);
  auto W_o = dbl(readout.output->weight);

  Expected e;
  e.head_attention = torch::zeros({H, T, S}, torch::kDouble);
  std::vector<Tensor> log_probs;
  for (int64_t t = 0; t < T; ++t) {
    const auto& d = decoder_states[static_cast<size_t>(t)];
    auto context = torch::zeros({attention.options().context_size()}, torch::kDouble);
    for (int64_t k = 0; k < H; ++k) {
      auto Q_k = dbl(attention.query_weight[k]), P_k = dbl(attention.context_weight[k]);
      auto scores = torch::zeros({S}, torch::kDouble);
      scores.narrow(0, 0, n).copy_(torch::mv(key_matrix, torch::mv(Q_k, d)));
      auto alpha = masked_softmax(scores, n);
      e.head_attention[k][t].copy_(alpha);
      context += torch::mv(P_k, torch::mv(key_matrix.t(), alpha.narrow(0, 0, n))) / static_cast<double>(H);
    }
    auto logits = torch::mv(W_o, torch::mv(W_c, torch::cat({context, d})).tanh());
    log_probs.push_back(torch::log_softmax(logits, 0));
  }
  e.attention = e.head_attention.mean(0);
  e.log_probs = torch::stack(log_probs);
  e.decoder_states = torch::stack(decoder_states);
  e.encoder_states = key_matrix;
  return e;
}

template <typename Model, typename Compose>
void check_composition(const CopyModelOptions& options, Compose compose) {
  auto model = attn::nn::make_copy_model(options);
  auto* typed = dynamic_cast<Model*>(model.get());
  REQUIRE(typed != nullptr);
  model->eval();
  // S = 6 source positions, rows with 6, 4, 1 and 3 real tokens; T = 5 steps.
  const auto batch = padded_batch(options.vocab_size(), 6, 5, {6, 4, 1, 3});
  torch::NoGradGuard no_grad;
  const auto out = model->forward(batch.source, batch.mask, batch.target_in);
  std::vector<Expected> expected;
  for (int64_t b = 0; b < batch.source.size(0); ++b) expected.push_back(compose(*typed, batch, b));
  compare(out, batch, expected);
}

}  // namespace

TEST_CASE_METHOD(attn_test::Seeded, "copy seq2seq (unidirectional) equals the PAPER 2.1 forward composed by hand",
                 "[nn][copy]") {
  check_composition<attn::nn::CopySeq2SeqImpl>(
      CopyModelOptions().vocab_size(9).embedding_dim(4).hidden_size(6), compose_lstm);
}

TEST_CASE_METHOD(attn_test::Seeded,
                 "copy seq2seq (bidirectional) equals the composed forward, decoder from the directions' mean",
                 "[nn][copy]") {
  check_composition<attn::nn::CopySeq2SeqImpl>(
      CopyModelOptions().vocab_size(9).embedding_dim(4).hidden_size(6).bidirectional(true), compose_lstm);
}

TEST_CASE_METHOD(attn_test::Seeded, "multi-head GRU copy model equals the PAPER 2.4 forward composed by hand",
                 "[nn][copy][multihead]") {
  check_composition<attn::nn::MultiHeadCopyImpl>(
      CopyModelOptions().architecture(attn::nn::Architecture::kMultiheadGru).vocab_size(9).embedding_dim(4).hidden_size(6).heads(3),
      compose_multihead);
}
