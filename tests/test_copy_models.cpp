// Copy models (PAPER.md 2.1, 2.4): shapes, normalised outputs, every part
// registered (so eval()/to()/save reach it), and the factory's errors.
#include <catch2/catch.hpp>

#include "attn/core/error.h"
#include "attn/data/copy_data.h"
#include "attn/nn/copy_models.h"

using attn::nn::CopyModelOptions;

namespace {
void check_forward(const CopyModelOptions& options, int64_t key_size) {
  torch::manual_seed(9);
  auto model = attn::nn::make_copy_model(options);
  attn::data::CopyTaskOptions task;
  task.vocab(10).length(6);
  auto batch = attn::data::make_copy_batch(task, {10}, 4, 1, 0);
  auto out = model->forward(batch.source, batch.source_mask, batch.target_in);
  const int64_t H = options.heads();
  CHECK(out.log_probs.sizes() == torch::IntArrayRef({4, 7, 12}));
  CHECK(out.attention.sizes() == torch::IntArrayRef({4, 7, 7}));
  CHECK(out.head_attention.sizes() == torch::IntArrayRef({4, H, 7, 7}));
  CHECK(out.decoder_states.sizes() == torch::IntArrayRef({4, 7, options.hidden_size()}));
  CHECK(out.encoder_states.sizes() == torch::IntArrayRef({4, 7, key_size}));
  CHECK(torch::allclose(out.log_probs.exp().sum(-1), torch::ones({4, 7}), 1e-4, 1e-5));
}
}  // namespace

TEST_CASE("copy seq2seq (LSTM) shapes", "[nn][copy]") {
  check_forward(CopyModelOptions().vocab_size(12).embedding_dim(8).hidden_size(16), 16);
}

TEST_CASE("copy seq2seq with a bidirectional encoder has 2x wide keys", "[nn][copy]") {
  check_forward(CopyModelOptions().vocab_size(12).embedding_dim(8).hidden_size(16).bidirectional(true), 32);
}

TEST_CASE("multi-head GRU copy model shapes", "[nn][copy]") {
  check_forward(CopyModelOptions().architecture(attn::nn::Architecture::kMultiheadGru).vocab_size(12).embedding_dim(8).hidden_size(16).heads(4),
                16);
}

TEST_CASE("every submodule is registered", "[nn][copy]") {
  auto lstm = attn::nn::make_copy_model(CopyModelOptions().vocab_size(12).bidirectional(true).hidden_size(8).embedding_dim(8));
  std::vector<std::string> names;
  for (const auto& child : lstm->named_children()) names.push_back(child.key());
  CHECK(names == std::vector<std::string>{"embedding", "encoder_forward", "encoder_backward", "decoder", "attention",
                                          "readout"});
  lstm->eval();
  for (const auto& module : lstm->modules(/*include_self=*/false)) CHECK_FALSE(module->is_training());
  auto gru = attn::nn::make_copy_model(CopyModelOptions().architecture(attn::nn::Architecture::kMultiheadGru).heads(2).vocab_size(12));
  CHECK(gru->named_children().size() == 6);
  CHECK(gru->named_parameters().contains("attention.query_weight"));
  CHECK_FALSE(gru->named_parameters().contains("attention.query_bias"));  // 2.4 has no attention biases
}

TEST_CASE("factory rejects unknown architectures", "[nn][copy]") {
  CHECK_THROWS_WITH(attn::nn::parse_architecture("transformer"),
                    Catch::Contains("model.architecture") && Catch::Contains("transformer"));
}
