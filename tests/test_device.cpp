// Device-independence on a CPU-only machine (issue 17): the library
// recurrence route (at::lstm / at::gru, which is cuDNN on a GPU) computes the
// same function as the hand-written one, values and gradients, for every
// model; archives load onto the reader's device, not the writer's (the meta
// device stands in for "another device"); run.json records the route.
// tests/test_cuda.cpp repeats the comparisons across CPU and CUDA on a GPU.
#include <catch2/catch.hpp>
#include <torch/autograd.h>
#include <torch/serialize/input-archive.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "attn/data/translation_batch.h"
#include "attn/io/checkpoint.h"
#include "attn/nn/attention_classifier.h"
#include "attn/nn/copy_models.h"
#include "attn/nn/recurrent.h"
#include "attn/nn/translation_model.h"
#include "attn/train/training_checkpoint.h"
#include "seeding.h"
#include "temp_dir.h"

using attn::nn::CellKind;
using attn::nn::RecurrentLayer;
using attn::nn::RecurrentLayerOptions;

namespace {

/// Sets ATTN_RECURRENCE for one scope and puts back what was there.
class RouteScope {
 public:
  explicit RouteScope(const char* route) {
    if (const char* old = std::getenv("ATTN_RECURRENCE")) previous_ = old;
    ::setenv("ATTN_RECURRENCE", route, 1);
  }
  ~RouteScope() {
    if (previous_) ::setenv("ATTN_RECURRENCE", previous_->c_str(), 1);
    else ::unsetenv("ATTN_RECURRENCE");
  }

 private:
  std::optional<std::string> previous_;
};

/// Gradients of `loss` with respect to `inputs` (undefined ones as zeros).
std::vector<torch::Tensor> gradients(const torch::Tensor& loss, const std::vector<torch::Tensor>& inputs) {
  auto grads = torch::autograd::grad({loss}, inputs, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                     /*allow_unused=*/true);
  for (size_t i = 0; i < grads.size(); ++i)
    if (!grads[i].defined()) grads[i] = torch::zeros_like(inputs[i]);
  return grads;
}

bool tensors_close(const torch::Tensor& a, const torch::Tensor& b) { return torch::allclose(a, b, 1e-5, 1e-6); }

/// A right-padded mask of rows with these lengths (B, T).
torch::Tensor mask_of(const std::vector<int64_t>& lengths, int64_t T) {
  auto mask = torch::zeros({static_cast<int64_t>(lengths.size()), T}, torch::kBool);
  for (size_t b = 0; b < lengths.size(); ++b) mask[b].narrow(0, 0, lengths[b]).fill_(true);
  return mask;
}

}  // namespace

TEST_CASE_METHOD(attn_test::Seeded, "library recurrence equals the hand-written one, gradients included",
                 "[nn][recurrent][device]") {
  for (const CellKind cell : {CellKind::kLSTM, CellKind::kGRU})
    for (const bool reverse : {false, true})
      for (const bool padded : {false, true}) {
        const bool lstm = cell == CellKind::kLSTM;
        INFO((lstm ? "LSTM" : "GRU") << (reverse ? " reverse" : " forward") << (padded ? " padded" : ""));
        RecurrentLayer layer(RecurrentLayerOptions(5, 7).cell(cell).reverse(reverse));
        auto x = torch::randn({4, 6, 5}).requires_grad_();
        auto h0 = torch::randn({4, 7}).requires_grad_(), c0 = torch::randn({4, 7}).requires_grad_();
        const auto mask = padded ? mask_of({6, 3, 5, 1}, 6) : torch::Tensor();
        const attn::nn::RecurrentState initial{h0, lstm ? c0 : torch::Tensor()};
        const auto weights = torch::randn({4, 6, 7});  // a loss that reads every output

        auto hand = layer->forward(layer->input_gates(x, mask), mask, initial);
        auto library = layer->forward_library(x, mask, initial);
        REQUIRE(library.outputs.sizes() == hand.outputs.sizes());
        CHECK(tensors_close(library.outputs, hand.outputs));
        CHECK(tensors_close(library.final.h, hand.final.h));
        if (lstm) CHECK(tensors_close(library.final.c, hand.final.c));
        if (padded) CHECK(library.outputs.masked_select(mask.logical_not().unsqueeze(2)).abs().max().item<float>() == 0);

        std::vector<torch::Tensor> inputs = {x, h0, layer->weight_ih, layer->weight_hh, layer->bias_ih, layer->bias_hh};
        if (lstm) inputs.push_back(c0);
        auto loss_of = [&](const attn::nn::RecurrentOutput& out) {
          auto loss = (out.outputs * weights).sum() + 2 * out.final.h.sum();
          return lstm ? loss + 3 * out.final.c.sum() : loss;
        };
        auto expected = gradients(loss_of(hand), inputs);
        auto got = gradients(loss_of(library), inputs);
        for (size_t i = 0; i < inputs.size(); ++i) {
          INFO("gradient " << i);
          CHECK(tensors_close(got[i], expected[i]));
        }
      }
}

TEST_CASE("recurrence route: hand-written on a CPU unless ATTN_RECURRENCE says otherwise", "[nn][recurrent][device]") {
  if (std::getenv("ATTN_RECURRENCE") == nullptr) {
    CHECK(attn::nn::recurrence_route(torch::kCPU) == attn::nn::RecurrenceRoute::kHandWritten);
    CHECK(attn::nn::describe_recurrence(torch::kCPU) == "fused-cpu");
  }
  {
    RouteScope library("library");
    CHECK(attn::nn::recurrence_route(torch::kCPU) == attn::nn::RecurrenceRoute::kLibrary);
    CHECK(attn::nn::describe_recurrence(torch::kCPU) == "libtorch-cpu");
  }
  {
    RouteScope hand("hand-written");
    CHECK(attn::nn::recurrence_route(torch::kCPU) == attn::nn::RecurrenceRoute::kHandWritten);
    CHECK(attn::nn::describe_recurrence(torch::kCPU) == "fused-cpu");
  }
  RouteScope wrong("cudnn please");
  CHECK_THROWS_WITH(attn::nn::recurrence_route(torch::kCPU),
                    Catch::Contains("ATTN_RECURRENCE") && Catch::Contains("library or hand-written"));
}

TEST_CASE_METHOD(attn_test::Seeded, "every model computes the same through either recurrence route",
                 "[nn][device]") {
  // One forward and backward per route; the loss reads the log-probabilities
  // and the attention, so the gradients cover every parameter.
  auto compare = [](torch::nn::Module& model, const std::function<torch::Tensor()>& loss_of) {
    std::vector<torch::Tensor> parameters = model.parameters();
    torch::Tensor hand_loss, library_loss;
    std::vector<torch::Tensor> hand_grads, library_grads;
    {
      RouteScope route("hand-written");
      hand_loss = loss_of();
      hand_grads = gradients(hand_loss, parameters);
    }
    {
      RouteScope route("library");
      library_loss = loss_of();
      library_grads = gradients(library_loss, parameters);
    }
    CHECK(tensors_close(library_loss, hand_loss));
    auto named = model.named_parameters();
    for (size_t i = 0; i < parameters.size(); ++i) {
      INFO(named.keys()[i]);
      CHECK(tensors_close(library_grads[i], hand_grads[i]));
    }
  };
  const auto source = torch::randint(0, 9, {3, 5}), target = torch::randint(0, 9, {3, 5});
  const auto random_weights = torch::randn({3, 5, 9});

  SECTION("copy LSTM seq2seq, bidirectional (PAPER 2.1)") {
    auto model = attn::nn::make_copy_model(
        attn::nn::CopyModelOptions().vocab_size(9).embedding_dim(6).hidden_size(5).bidirectional(true));
    compare(*model, [&] {
      auto out = model->forward(source, torch::ones({3, 5}, torch::kBool), target);
      return (out.log_probs * random_weights).sum() + out.attention.pow(2).sum();
    });
  }
  SECTION("multi-head GRU (PAPER 2.4)") {
    auto model = attn::nn::make_copy_model(attn::nn::CopyModelOptions()
                                               .architecture(attn::nn::Architecture::kMultiheadGru)
                                               .vocab_size(9).embedding_dim(6).hidden_size(8).heads(4));
    compare(*model, [&] {
      auto out = model->forward(source, torch::Tensor(), target);
      return (out.log_probs * random_weights).sum() + out.head_attention.pow(2).sum();
    });
  }
  SECTION("translation model, padded batch (PAPER 2.2)") {
    attn::nn::TranslationModel model(
        attn::nn::TranslationModelOptions().vocab_size(11).embedding_dim(6).hidden_size(5).dropout(0.0));
    std::vector<attn::data::EncodedPair> pairs = {
        {{1, 4, 5, 6, 7, 2}, {1, 8, 9, 2}}, {{1, 5, 2}, {1, 10, 4, 6, 7, 2}}, {{1, 9, 8, 4, 2}, {1, 5, 2}}};
    auto batch = attn::data::make_translation_batch(pairs, {0, 1, 2}, 0);
    compare(*model, [&] {
      auto out = model->real_token_log_probs(batch.source, batch.source_mask, batch.target_in, batch.target_out);
      return -out.log_probs.gather(1, out.gold.unsqueeze(1)).mean() + out.attention.pow(2).sum();
    });
  }
  SECTION("attention classifier, padded batch (PAPER 2.3)") {
    attn::nn::AttentionClassifier model(
        attn::nn::AttentionClassifierOptions(12).embedding_dim(6).hidden_size(5).attention_hidden(4));
    auto ids = torch::randint(1, 12, {3, 6});
    auto mask = mask_of({6, 2, 4}, 6);
    ids.masked_fill_(mask.logical_not(), 0);
    compare(*model, [&] {
      auto out = model->forward(ids, mask);
      return out.logits.sigmoid().sum() + out.alpha.pow(2).sum();
    });
  }
}

TEST_CASE("archives load onto the reader's device, not the one they were saved from", "[io][device]") {
  attn_test::TempDir tmp("device_archives");
  // The meta device stands in for "not the CPU" on a machine without a GPU:
  // what reaches it went through the same mapping a CUDA checkpoint takes to
  // a CPU reader.
  const torch::Device elsewhere("meta");
  const auto tensor = torch::arange(6, torch::kFloat).view({2, 3});
  attn::io::save_tensor(tmp / "tensor.pt", "gold_alpha", tensor);
  const auto mapped = attn::io::load_tensor(tmp / "tensor.pt", "gold_alpha", elsewhere);
  CHECK(mapped.device() == elsewhere);
  CHECK(mapped.sizes() == tensor.sizes());
  const auto back = attn::io::load_tensor(tmp / "tensor.pt", "gold_alpha");
  CHECK(back.device().is_cpu());
  CHECK(back.equal(tensor));

  // A training checkpoint: its model, optimiser-free state and RNG state all
  // go where the reader asks.
  auto model = attn::nn::make_copy_model(attn::nn::CopyModelOptions().vocab_size(7).embedding_dim(4).hidden_size(4));
  attn::train::TrainingState state;
  state.step = 3;
  attn::train::save_checkpoint(tmp / "checkpoint.pt", *model, nullptr, state);
  torch::serialize::InputArchive archive, weights, embedding;
  attn::io::read_archive(tmp / "checkpoint.pt", archive, elsewhere);
  REQUIRE(archive.try_read("model", weights));
  REQUIRE(weights.try_read("embedding", embedding));  // a module archive nests its submodules
  torch::Tensor table;
  REQUIRE(embedding.try_read("weight", table));
  CHECK(table.device() == elsewhere);
  CHECK(attn::io::module_device(*model).is_cpu());

  // Loaded into a CPU model: on the CPU, equal to what was saved.
  auto reader = attn::nn::make_copy_model(attn::nn::CopyModelOptions().vocab_size(7).embedding_dim(4).hidden_size(4));
  CHECK(attn::train::load_checkpoint(tmp / "checkpoint.pt", *reader, nullptr).step == 3);
  auto saved = model->parameters(), loaded = reader->parameters();
  REQUIRE(saved.size() == loaded.size());
  for (size_t i = 0; i < saved.size(); ++i) {
    CHECK(loaded[i].device().is_cpu());
    CHECK(loaded[i].equal(saved[i]));
  }
}
