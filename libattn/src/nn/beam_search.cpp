// Beam search and greedy decoding (see attn/nn/beam_search.h).
#include "attn/nn/beam_search.h"

#include <torch/autograd.h>

#include <cmath>
#include <limits>

#include "attn/core/error.h"

namespace attn::nn {

namespace {

constexpr float kImpossible = -std::numeric_limits<float>::infinity();

double penalised(const Hypothesis& h, double alpha) {
  if (alpha <= 0) return h.score;
  return h.score / std::pow((5.0 + static_cast<double>(h.tokens.size())) / 6.0, alpha);
}

/// Rows that have ended may only be "extended" by padding at no cost: the
/// hypothesis then appears once among the candidates with its frozen score.
torch::Tensor freeze_ended(torch::Tensor log_probs, const torch::Tensor& ended, int64_t pad_id) {
  if (!ended.any().item<bool>()) return log_probs;
  auto frozen = torch::full_like(log_probs, kImpossible);
  frozen.select(1, pad_id).fill_(0);
  return torch::where(ended.unsqueeze(1), frozen, log_probs);
}

}  // namespace

std::vector<Hypothesis> beam_search(TranslationModelImpl& model, const torch::Tensor& source,
                                    const torch::Tensor& source_mask, const DecodingOptions& options) {
  check(options.beam() >= 1, "beam search: beam must be at least 1, got {}", options.beam());
  check(options.max_length() >= 2, "beam search: max_length (counting <s>) must be at least 2, got {}",
        options.max_length());
  torch::NoGradGuard no_grad;
  const int64_t B = source.size(0), K = options.beam(), V = model.options().vocab_size();
  const auto device = source.device();
  auto long_options = torch::TensorOptions().dtype(torch::kLong).device(device);
  // K copies of every sentence; only copy 0 is live at first, so step 1
  // expands the single <s> hypothesis.
  auto rows = torch::arange(B, long_options).repeat_interleave(K);  // (B*K)
  auto encoded = model.encode(source, source_mask).select(rows);
  auto states = encoded.decoder_init;
  auto scores = torch::full({B, K}, kImpossible, torch::TensorOptions().device(device));
  scores.select(1, 0).fill_(0);
  auto last = torch::full({B * K}, options.bos_id(), long_options);
  auto ended = torch::zeros({B * K}, long_options.dtype(torch::kBool));
  auto history = torch::empty({B * K, 0}, long_options);
  auto beam_offsets = (torch::arange(B, long_options) * K).unsqueeze(1);  // (B, 1)
  for (int64_t step = 1; step < options.max_length(); ++step) {
    auto out = model.decode_step(encoded, last, states);
    auto log_probs = freeze_ended(out.log_probs, ended, options.pad_id());                   // (B*K, V)
    auto candidates = (scores.reshape({B * K, 1}) + log_probs).reshape({B, K * V});          // (B, K*V)
    auto best = candidates.topk(K, 1);  // sorted, ties to the lower index
    scores = std::get<0>(best);
    auto index = std::get<1>(best);                                          // (B, K)
    auto origin = (index.div(V, "floor") + beam_offsets).reshape({-1});      // (B*K) rows of the previous step
    auto token = index.remainder(V).reshape({-1});                           // (B*K)
    history = torch::cat({history.index_select(0, origin), token.unsqueeze(1)}, 1);
    for (auto& state : out.states) state = {state.h.index_select(0, origin), state.c.index_select(0, origin)};
    states = out.states;
    ended = ended.index_select(0, origin) | token.eq(options.eos_id()) | token.eq(options.pad_id());
    last = token;
    if (ended.all().item<bool>()) break;
  }
  // Read back: a hypothesis's tokens stop at the first </s> or padding.
  auto history_cpu = history.cpu();
  auto scores_cpu = scores.cpu().to(torch::kDouble);
  auto ended_cpu = ended.cpu();
  const auto* h = history_cpu.data_ptr<int64_t>();
  const auto* s = scores_cpu.data_ptr<double>();
  const auto* e = ended_cpu.data_ptr<bool>();
  const int64_t T = history_cpu.size(1);
  std::vector<Hypothesis> out(B);
  for (int64_t b = 0; b < B; ++b) {
    double best_score = -std::numeric_limits<double>::infinity();
    bool have = false;
    for (int64_t k = 0; k < K; ++k) {
      const int64_t r = b * K + k;
      Hypothesis hyp;
      hyp.score = s[r];
      hyp.ended = e[r];
      for (int64_t t = 0; t < T; ++t) {
        hyp.tokens.push_back(h[r * T + t]);
        if (h[r * T + t] == options.eos_id() || h[r * T + t] == options.pad_id()) break;
      }
      if (!std::isfinite(hyp.score)) continue;
      const double ranked = penalised(hyp, options.length_penalty());
      if (!have || ranked > best_score) {
        best_score = ranked;
        out[b] = std::move(hyp);
        have = true;
      }
    }
  }
  return out;
}

std::vector<Hypothesis> greedy_decode(TranslationModelImpl& model, const torch::Tensor& source,
                                      const torch::Tensor& source_mask, const DecodingOptions& options) {
  check(options.max_length() >= 2, "greedy decoding: max_length (counting <s>) must be at least 2, got {}",
        options.max_length());
  torch::NoGradGuard no_grad;
  const int64_t B = source.size(0);
  auto long_options = torch::TensorOptions().dtype(torch::kLong).device(source.device());
  auto encoded = model.encode(source, source_mask);
  auto states = encoded.decoder_init;
  auto last = torch::full({B}, options.bos_id(), long_options);
  auto ended = torch::zeros({B}, long_options.dtype(torch::kBool));
  auto scores = torch::zeros({B}, torch::TensorOptions().dtype(torch::kDouble).device(source.device()));
  std::vector<torch::Tensor> tokens;
  for (int64_t step = 1; step < options.max_length(); ++step) {
    auto out = model.decode_step(encoded, last, states);
    auto log_probs = freeze_ended(out.log_probs, ended, options.pad_id());
    auto best = log_probs.max(1);
    scores += std::get<0>(best).to(torch::kDouble);
    last = std::get<1>(best);
    tokens.push_back(last);
    states = out.states;
    ended = ended | last.eq(options.eos_id()) | last.eq(options.pad_id());
    if (ended.all().item<bool>()) break;
  }
  auto history = torch::stack(tokens, 1).cpu();
  auto ended_cpu = ended.cpu();
  auto scores_cpu = scores.cpu();
  std::vector<Hypothesis> out(B);
  for (int64_t b = 0; b < B; ++b) {
    out[b].score = scores_cpu[b].item<double>();
    out[b].ended = ended_cpu[b].item<bool>();
    for (int64_t t = 0; t < history.size(1); ++t) {
      const int64_t id = history[b][t].item<int64_t>();
      out[b].tokens.push_back(id);
      if (id == options.eos_id() || id == options.pad_id()) break;
    }
  }
  return out;
}

std::vector<int64_t> output_ids(const Hypothesis& hypothesis, const DecodingOptions& options) {
  std::vector<int64_t> ids;
  for (int64_t id : hypothesis.tokens) {
    if (id == options.eos_id() || id == options.pad_id()) break;
    ids.push_back(id);
  }
  return ids;
}

}  // namespace attn::nn
