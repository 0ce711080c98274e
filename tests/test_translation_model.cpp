// The translation model (PAPER.md 2.2): the stacked BiLSTM equals LibTorch's
// own multi-layer bidirectional LSTM; packing (padding masked) equals running
// each sentence alone; the forward equals a hand-composed one; the
// real-token path, the step-wise decoder and the padded forward agree; beam
// search with beam 1 is greedy and, with a beam wide enough, finds the
// exhaustive-search optimum; beta equals a direct one-position forward;
// Delta equals finite differences; beta^px's word scores are softmax(E W^T).
#include <catch2/catch.hpp>
#include <torch/autograd.h>
#include <torch/nn/modules/rnn.h>

#include <cmath>
#include <functional>
#include <limits>

#include "attn/data/translation_batch.h"
#include "attn/nn/beam_search.h"
#include "attn/nn/recurrent_stack.h"
#include "attn/nn/translation_model.h"
#include "attn/probes/ktiw.h"
#include "attn/probes/translation_influence.h"
#include "attn/probes/word_translation.h"
#include "nn/embedding_rows.h"
#include "seeding.h"

using attn::data::EncodedPair;
using attn::nn::RecurrentStack;
using attn::nn::RecurrentStackOptions;
using attn::nn::TranslationModel;
using attn::nn::TranslationModelOptions;

namespace {

TranslationModelOptions tiny_options(int64_t vocab = 11) {
  return TranslationModelOptions().vocab_size(vocab).embedding_dim(6).hidden_size(5).dropout(0.0);
}

/// Three pairs of different lengths over ids 4..vocab-1, <s> = 1, </s> = 2.
std::vector<EncodedPair> tiny_pairs() {
  return {{{1, 4, 5, 6, 7, 2}, {1, 8, 9, 2}}, {{1, 5, 2}, {1, 10, 4, 6, 7, 2}}, {{1, 9, 8, 4, 2}, {1, 5, 2}}};
}

void copy_lstm_weights(RecurrentStack& ours, torch::nn::LSTM& reference) {
  torch::NoGradGuard no_grad;
  auto params = reference->named_parameters();
  for (size_t k = 0; k < ours->layers.size(); ++k)
    for (size_t d = 0; d < ours->layers[k].size(); ++d) {
      const std::string suffix = "_l" + std::to_string(k) + (d == 1 ? "_reverse" : "");
      ours->layers[k][d]->weight_ih.copy_(params["weight_ih" + suffix]);
      ours->layers[k][d]->weight_hh.copy_(params["weight_hh" + suffix]);
      ours->layers[k][d]->bias_ih.copy_(params["bias_ih" + suffix]);
      ours->layers[k][d]->bias_hh.copy_(params["bias_hh" + suffix]);
    }
}

}  // namespace

TEST_CASE_METHOD(attn_test::Seeded, "2-layer bidirectional stack matches torch::nn::LSTM", "[nn][translation]") {
  torch::nn::LSTM reference(torch::nn::LSTMOptions(4, 3).num_layers(2).bidirectional(true).batch_first(true));
  RecurrentStack ours(RecurrentStackOptions(4, 3).layers(2).bidirectional(true));
  copy_lstm_weights(ours, reference);
  auto x = torch::randn({2, 5, 4});
  auto expected = reference->forward(x);
  auto got = ours->forward(x);
  REQUIRE(got.states.sizes() == std::get<0>(expected).sizes());
  CHECK(torch::allclose(got.states, std::get<0>(expected), 1e-5, 1e-6));
  // h_n is (layers * directions, B, H) in PyTorch's order l0, l0_reverse, l1, l1_reverse.
  const auto& h_n = std::get<0>(std::get<1>(expected));
  for (int k = 0; k < 2; ++k)
    for (int d = 0; d < 2; ++d) CHECK(torch::allclose(got.finals[k][d].h, h_n[2 * k + d], 1e-5, 1e-6));
}

TEST_CASE_METHOD(attn_test::Seeded, "packed stack equals running each sentence alone", "[nn][translation]") {
  RecurrentStack stack(RecurrentStackOptions(4, 3).layers(2).bidirectional(true));
  auto x = torch::randn({3, 6, 4});
  const std::vector<int64_t> lengths = {6, 2, 4};
  auto mask = torch::arange(6).unsqueeze(0) < torch::tensor(lengths).unsqueeze(1);
  auto batch = stack->forward(x, mask);
  for (int64_t b = 0; b < 3; ++b) {
    auto alone = stack->forward(x.narrow(0, b, 1).narrow(1, 0, lengths[b]));
    CHECK(torch::allclose(batch.states[b].narrow(0, 0, lengths[b]), alone.states[0], 1e-5, 1e-6));
    CHECK(batch.states[b].narrow(0, lengths[b], 6 - lengths[b]).abs().sum().item<float>() == 0.0f);
    for (int k = 0; k < 2; ++k)
      for (int d = 0; d < 2; ++d)
        CHECK(torch::allclose(batch.finals[k][d].h[b], alone.finals[k][d].h[0], 1e-5, 1e-6));
  }
}

TEST_CASE_METHOD(attn_test::Seeded, "packed stack path equals the layer-by-layer masked path, gradients included",
                 "[nn][translation]") {
  // Float on CPU takes the packed path (rows of real tokens, sorted
  // time-major recurrences); double takes RecurrentLayer's masked path.
  RecurrentStack packed(RecurrentStackOptions(4, 3).layers(2).bidirectional(true));
  RecurrentStack masked(RecurrentStackOptions(4, 3).layers(2).bidirectional(true));
  masked->to(torch::kDouble);
  {
    torch::NoGradGuard no_grad;
    auto from = packed->parameters(), to = masked->parameters();
    for (size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
  }
  auto x = torch::randn({4, 7, 4});
  const std::vector<int64_t> lengths = {3, 7, 1, 5};  // unsorted on purpose
  auto mask = torch::arange(7).unsqueeze(0) < torch::tensor(lengths).unsqueeze(1);
  auto x_float = x.clone().requires_grad_(), x_double = x.to(torch::kDouble).requires_grad_();
  auto a = packed->forward(x_float, mask), b = masked->forward(x_double, mask);
  CHECK(torch::allclose(a.states, b.states.to(torch::kFloat), 1e-5, 1e-6));
  for (int k = 0; k < 2; ++k)
    for (int d = 0; d < 2; ++d) {
      CHECK(torch::allclose(a.finals[k][d].h, b.finals[k][d].h.to(torch::kFloat), 1e-5, 1e-6));
      CHECK(torch::allclose(a.finals[k][d].c, b.finals[k][d].c.to(torch::kFloat), 1e-5, 1e-6));
    }
  // A loss that reads every output and final state.
  auto weights = torch::randn({4, 7, 6});
  auto loss = [&](const attn::nn::RecurrentStackOutput& out, torch::Dtype dtype) {
    auto total = (out.states * weights.to(dtype)).sum();
    for (const auto& layer : out.finals)
      for (const auto& state : layer) total = total + state.h.sum() * 0.3 + state.c.sum() * 0.7;
    return total;
  };
  loss(a, torch::kFloat).backward();
  loss(b, torch::kDouble).backward();
  CHECK(torch::allclose(x_float.grad(), x_double.grad().to(torch::kFloat), 1e-4, 1e-5));
  auto pa = packed->parameters(), pb = masked->parameters();
  for (size_t i = 0; i < pa.size(); ++i) {
    INFO("parameter " << i);
    CHECK(torch::allclose(pa[i].grad(), pb[i].grad().to(torch::kFloat), 1e-4, 1e-5));
  }
}

TEST_CASE_METHOD(attn_test::Seeded, "packed decoder stack starts from the given per-layer states", "[nn][translation]") {
  RecurrentStack packed(RecurrentStackOptions(4, 3).layers(2));
  RecurrentStack masked(RecurrentStackOptions(4, 3).layers(2));
  masked->to(torch::kDouble);
  {
    torch::NoGradGuard no_grad;
    auto from = packed->parameters(), to = masked->parameters();
    for (size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
  }
  auto x = torch::randn({3, 5, 4});
  auto mask = torch::arange(5).unsqueeze(0) < torch::tensor({2, 5, 4}).unsqueeze(1);
  std::vector<attn::nn::RecurrentState> initial = {{torch::randn({3, 3}), torch::randn({3, 3})},
                                                   {torch::randn({3, 3}), torch::randn({3, 3})}};
  std::vector<attn::nn::RecurrentState> initial_double;
  for (const auto& s : initial) initial_double.push_back({s.h.to(torch::kDouble), s.c.to(torch::kDouble)});
  auto a = packed->forward(x, mask, initial), b = masked->forward(x.to(torch::kDouble), mask, initial_double);
  CHECK(torch::allclose(a.states, b.states.to(torch::kFloat), 1e-5, 1e-6));
  CHECK_FALSE(torch::allclose(a.states, packed->forward(x, mask).states, 1e-3, 1e-3));  // the states mattered
}

TEST_CASE_METHOD(attn_test::Seeded, "translation model equals a hand-composed forward", "[nn][translation]") {
  TranslationModel model(tiny_options());
  model->eval();
  auto pairs = tiny_pairs();
  auto batch = attn::data::make_translation_batch(pairs, {0, 1, 2});
  auto out = model->forward(batch.source, batch.source_mask, batch.target_in);
  const int64_t B = 3, T = batch.target_in.size(1), S = batch.source.size(1), V = 11;
  REQUIRE(out.log_probs.sizes() == torch::IntArrayRef({B, T, V}));
  REQUIRE(out.attention.sizes() == torch::IntArrayRef({B, T, S}));
  REQUIRE(out.encoder_states.sizes() == torch::IntArrayRef({B, S, 10}));
  // One sentence at a time, from the parameters, with LibTorch's LSTM.
  torch::nn::LSTM encoder(torch::nn::LSTMOptions(6, 5).num_layers(2).bidirectional(true).batch_first(true));
  torch::nn::LSTM decoder(torch::nn::LSTMOptions(6, 5).num_layers(2).batch_first(true));
  {
    torch::NoGradGuard no_grad;
    auto e = encoder->named_parameters(), d = decoder->named_parameters();
    for (int k = 0; k < 2; ++k) {
      for (int dir = 0; dir < 2; ++dir) {
        const std::string s = "_l" + std::to_string(k) + (dir ? "_reverse" : "");
        e["weight_ih" + s].copy_(model->encoder->layers[k][dir]->weight_ih);
        e["weight_hh" + s].copy_(model->encoder->layers[k][dir]->weight_hh);
        e["bias_ih" + s].copy_(model->encoder->layers[k][dir]->bias_ih);
        e["bias_hh" + s].copy_(model->encoder->layers[k][dir]->bias_hh);
      }
      const std::string s = "_l" + std::to_string(k);
      d["weight_ih" + s].copy_(model->decoder->layers[k][0]->weight_ih);
      d["weight_hh" + s].copy_(model->decoder->layers[k][0]->weight_hh);
      d["bias_ih" + s].copy_(model->decoder->layers[k][0]->bias_ih);
      d["bias_hh" + s].copy_(model->decoder->layers[k][0]->bias_hh);
    }
  }
  torch::NoGradGuard no_grad;
  auto& att = *model->attention_module;
  auto& ro = *model->readout_module;
  for (int64_t b = 0; b < B; ++b) {
    const auto& pair = pairs[b];
    auto src = torch::tensor(pair.source).unsqueeze(0);
    auto trg_in = torch::tensor(std::vector<int64_t>(pair.target.begin(), pair.target.end() - 1)).unsqueeze(0);
    auto enc = encoder->forward(model->embedding(src));
    auto h = std::get<0>(enc)[0];                                  // (S_b, 10)
    auto hn = std::get<0>(std::get<1>(enc)), cn = std::get<1>(std::get<1>(enc));  // (4, 1, 5)
    auto h0 = torch::stack({(hn[0] + hn[1]) / 2, (hn[2] + hn[3]) / 2});
    auto c0 = torch::stack({(cn[0] + cn[1]) / 2, (cn[2] + cn[3]) / 2});
    auto d = std::get<0>(decoder->forward(model->embedding(trg_in), std::make_tuple(h0, c0)))[0];  // (T_b, 5)
    auto scores = torch::matmul(torch::matmul(d, att.query_weight[0].t()) + att.query_bias[0], h.t());  // (T_b, S_b)
    auto alpha = torch::softmax(scores, -1);
    auto context = torch::matmul(torch::matmul(alpha, h), att.context_weight[0].t()) + att.context_bias[0];
    auto hidden = torch::relu(ro.state_in(d) + ro.context_in(context));
    auto expected = torch::log_softmax(ro.output(hidden), -1);
    const int64_t Tb = trg_in.size(1), Sb = src.size(1);
    CHECK(torch::allclose(out.log_probs[b].narrow(0, 0, Tb), expected, 1e-4, 1e-5));
    CHECK(torch::allclose(out.attention[b].narrow(0, 0, Tb).narrow(1, 0, Sb), alpha, 1e-5, 1e-6));
    CHECK(out.attention[b].narrow(0, 0, Tb).narrow(1, Sb, S - Sb).abs().sum().item<float>() < 1e-6f);
  }
}

TEST_CASE_METHOD(attn_test::Seeded, "real-token, step-wise and padded forwards agree", "[nn][translation]") {
  TranslationModel model(tiny_options());
  model->eval();
  torch::NoGradGuard no_grad;
  auto pairs = tiny_pairs();
  auto batch = attn::data::make_translation_batch(pairs, {0, 1, 2});
  auto padded = model->forward(batch.source, batch.source_mask, batch.target_in);
  auto real = model->real_token_log_probs(batch.source, batch.source_mask, batch.target_in, batch.target_out);
  auto mask = batch.target_in.ne(0);
  REQUIRE(real.log_probs.size(0) == mask.sum().item<int64_t>());
  CHECK(torch::allclose(real.log_probs, padded.log_probs.index({mask}), 1e-5, 1e-6));
  CHECK(torch::equal(real.gold, batch.target_out.index({mask})));
  // Step by step from the encoder's states, fed the gold previous token.
  auto encoded = model->encode(batch.source, batch.source_mask);
  auto states = encoded.decoder_init;
  for (int64_t t = 0; t < batch.target_in.size(1); ++t) {
    auto step = model->decode_step(encoded, batch.target_in.select(1, t), states);
    states = step.states;
    auto rows = mask.select(1, t);
    CHECK(torch::allclose(step.log_probs.index({rows}), padded.log_probs.select(1, t).index({rows}), 1e-5, 1e-6));
  }
}

TEST_CASE_METHOD(attn_test::Seeded, "beam 1 equals greedy decoding", "[nn][translation][decode]") {
  TranslationModel model(tiny_options(12));
  model->eval();
  auto batch = attn::data::make_translation_batch(tiny_pairs(), {0, 1, 2});
  attn::nn::DecodingOptions options;
  options.beam(1).max_length(8);
  auto beam = attn::nn::beam_search(*model, batch.source, batch.source_mask, options);
  auto greedy = attn::nn::greedy_decode(*model, batch.source, batch.source_mask, options);
  REQUIRE(beam.size() == 3);
  for (size_t b = 0; b < 3; ++b) {
    CHECK(beam[b].tokens == greedy[b].tokens);
    CHECK(beam[b].score == Approx(greedy[b].score).epsilon(1e-5));
    CHECK(!beam[b].tokens.empty());
    CHECK(static_cast<int64_t>(beam[b].tokens.size()) <= 7);
  }
}

TEST_CASE_METHOD(attn_test::Seeded, "beam search finds the exhaustive-search optimum", "[nn][translation][decode]") {
  // V = 6: pad, <s>, </s>, unk and two words; at most 3 generated tokens.
  // Untrained weights scaled up make the distributions peaked and varied.
  TranslationModel model(tiny_options(6));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters()) p.mul_(3.0);
  }
  model->eval();
  std::vector<EncodedPair> pairs = {{{1, 4, 5, 2}, {1, 2}}, {{1, 5, 2}, {1, 2}}, {{1, 4, 4, 5, 2}, {1, 2}}};
  auto batch = attn::data::make_translation_batch(pairs, {0, 1, 2});
  const int64_t max_length = 4;
  for (int64_t b = 0; b < 3; ++b) {
    // Exhaustive: every sequence that ends with </s> or padding, or is cut at max_length - 1 tokens.
    auto src = batch.source.narrow(0, b, 1), mask = batch.source_mask.narrow(0, b, 1);
    torch::NoGradGuard no_grad;
    auto encoded = model->encode(src, mask);
    double best = -std::numeric_limits<double>::infinity();
    std::vector<int64_t> best_tokens;
    std::function<void(std::vector<int64_t>, std::vector<attn::nn::RecurrentState>, int64_t, double)> search =
        [&](std::vector<int64_t> prefix, std::vector<attn::nn::RecurrentState> states, int64_t last, double score) {
          auto step = model->decode_step(encoded, torch::tensor({last}), states);
          for (int64_t token = 0; token < 6; ++token) {
            auto next = prefix;
            next.push_back(token);
            const double s = score + step.log_probs[0][token].item<double>();
            const bool ended = token == 0 || token == 2;
            if (ended || static_cast<int64_t>(next.size()) == max_length - 1) {
              if (s > best) best = s, best_tokens = next;
            } else {
              search(next, step.states, token, s);
            }
          }
        };
    search({}, encoded.decoder_init, 1, 0.0);
    attn::nn::DecodingOptions options;
    options.beam(36).max_length(max_length);  // >= every live hypothesis: exhaustive
    auto found = attn::nn::beam_search(*model, src, mask, options);
    CHECK(found[0].tokens == best_tokens);
    CHECK(found[0].score == Approx(best).epsilon(1e-5));
    // The authors' beam of 5 need not find it, but never scores higher.
    options.beam(5);
    CHECK(attn::nn::beam_search(*model, src, mask, options)[0].score <= best + 1e-6);
  }
}

TEST_CASE_METHOD(attn_test::Seeded, "translation beta equals a direct one-position forward", "[probes][translation]") {
  TranslationModel model(tiny_options());
  model->eval();
  auto batch = attn::data::make_translation_batch(tiny_pairs(), {0, 1, 2});
  auto out = model->forward(batch.source, batch.source_mask, batch.target_in);
  auto beta = attn::probes::ktiw_beta(*model, out, batch.target_out, batch.source_mask);
  torch::NoGradGuard no_grad;
  auto& att = *model->attention_module;
  auto& ro = *model->readout_module;
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t t = 0; t < batch.target_in.size(1); ++t)
      for (int64_t l = 0; l < batch.source.size(1); ++l) {
        if (!batch.source_mask[b][l].item<bool>()) {
          CHECK(std::isinf(beta[b][t][l].item<float>()));
          continue;
        }
        // Attention one-hot on l: context = W_p h_l + b_p.
        auto context = torch::matmul(att.context_weight[0], out.encoder_states[b][l]) + att.context_bias[0];
        auto hidden = torch::relu(ro.state_in(out.decoder_states[b][t]) + ro.context_in(context));
        auto expected = torch::log_softmax(ro.output(hidden), -1)[batch.target_out[b][t].item<int64_t>()];
        CHECK(beta[b][t][l].item<float>() == Approx(expected.item<float>()).margin(1e-4));
      }
}

TEST_CASE_METHOD(attn_test::Seeded, "translation Delta equals finite differences", "[probes][translation]") {
  TranslationModel model(tiny_options());
  model->to(torch::kDouble);
  model->eval();
  auto batch = attn::data::make_translation_batch(tiny_pairs(), {0, 1, 2});
  auto delta = attn::probes::translation_influence(*model, batch);
  REQUIRE(delta.sizes() == torch::IntArrayRef({3, batch.target_in.size(1), batch.source.size(1)}));
  torch::NoGradGuard no_grad;
  const double h = 1e-6;
  auto gold_log_probs = [&](const torch::Tensor& gate) {
    auto out = model->forward_gated(batch.source, batch.source_mask, batch.target_in, gate);
    return out.log_probs.gather(2, batch.target_out.unsqueeze(2)).squeeze(2);  // (B, T)
  };
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t l = 0; l < batch.source.size(1); ++l) {
      if (!batch.source_mask[b][l].item<bool>()) continue;
      auto up = torch::ones({3, batch.source.size(1)}, torch::kDouble), down = up.clone();
      up[b][l] += h;
      down[b][l] -= h;
      auto numeric = (gold_log_probs(up) - gold_log_probs(down)) / (2 * h);  // (B, T)
      for (int64_t t = 0; t < batch.target_in.size(1); ++t) {
        if (batch.target_in[b][t].item<int64_t>() == 0) {
          CHECK(std::isnan(delta[b][t][l].item<double>()));
          continue;
        }
        CHECK(delta[b][t][l].item<double>() == Approx(numeric[b][t].item<double>()).margin(1e-6));
      }
    }
  for (auto& p : model->parameters()) CHECK(!p.grad().defined());
}

TEST_CASE_METHOD(attn_test::Seeded, "beta^px word scores are softmax(E W^T) at the gold piece", "[probes][translation]") {
  attn::probes::WordTranslator translator(11, 4);
  auto batch = attn::data::make_translation_batch(tiny_pairs(), {0, 1, 2});
  auto scores = translator->pair_scores(batch.source, batch.target_out);  // (B, T, S)
  torch::NoGradGuard no_grad;
  auto table = torch::log_softmax(torch::matmul(translator->embedding->weight, translator->output->weight.t()), -1);
  for (int64_t b = 0; b < 3; ++b)
    for (int64_t t = 0; t < batch.target_in.size(1); ++t)
      for (int64_t l = 0; l < batch.source.size(1); ++l)
        CHECK(scores[b][t][l].item<float>() ==
              Approx(table[batch.source[b][l].item<int64_t>()][batch.target_out[b][t].item<int64_t>()].item<float>())
                  .margin(1e-5));
}

TEST_CASE_METHOD(attn_test::Seeded, "beta^px learns a one-to-one lexicon", "[probes][translation]") {
  // Source word w (4..9) always translates to target word w + 6 (10..15):
  // after training, for each target word beta^px ranks its own source word
  // first among the source words (what the agreement compares: positions l
  // for a target o_t).
  std::vector<EncodedPair> train, valid;
  std::mt19937_64 draw(7);
  for (int i = 0; i < 2100; ++i) {
    EncodedPair pair{{1}, {1}};
    for (int k = 0; k < 3; ++k) {
      const int64_t w = 4 + static_cast<int64_t>(draw() % 6);
      pair.source.push_back(w);
      pair.target.push_back(w + 6);
    }
    pair.source.push_back(2);
    pair.target.push_back(2);
    (i < 2000 ? train : valid).push_back(pair);
  }
  auto fit = attn::probes::train_word_translator(
      train, valid, 16, attn::probes::WordTranslatorOptions().embedding_dim(8).epochs(10).batch_size(32).seed(3));
  REQUIRE(fit.validation_loss.size() == 11);
  CHECK(fit.best_epoch >= 1);
  CHECK(fit.validation_loss[fit.best_epoch] < fit.validation_loss[0]);
  torch::NoGradGuard no_grad;
  auto table = torch::log_softmax(torch::matmul(fit.model->embedding->weight, fit.model->output->weight.t()), -1);
  for (int64_t o = 10; o < 16; ++o) CHECK(table.narrow(0, 4, 6).select(1, o).argmax().item<int64_t>() == o - 10);
}

TEST_CASE_METHOD(attn_test::Seeded, "embedding rows and their gradient equal LibTorch's embedding", "[nn][translation]") {
  auto table = torch::randn({9, 4}).requires_grad_();
  auto reference_table = table.detach().clone().requires_grad_();
  auto ids = torch::tensor({{3, 1, 3}, {8, 3, 0}});  // id 3 three times
  auto weights = torch::randn({2, 3, 4});
  auto ours = attn::nn::detail::embedding_rows(table, ids);
  auto reference = torch::nn::functional::embedding(ids, reference_table);
  REQUIRE(ours.sizes() == reference.sizes());
  CHECK(torch::equal(ours, reference));
  (ours * weights).sum().backward();
  (reference * weights).sum().backward();
  CHECK(torch::allclose(table.grad(), reference_table.grad(), 1e-6, 1e-7));
  CHECK(table.grad()[3].abs().sum().item<float>() > 0);
}
