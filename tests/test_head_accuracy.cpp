// Per-head attention accuracy (PAPER.md 3 "attention accuracy", 5.2) with two
// heads that attend differently: head 0's query projection is fitted, on the
// task's own evaluation batch, so that it attends to the gold position; head 1
// is a random draw that does not. MultiheadCopyTask::evaluate must report each
// head's own accuracy (counted here by hand from that head's slice of the
// model's head attention), and swapping the heads must swap the numbers: a
// metric that read head 0 (or the head mean) for every head fails.
#include <catch2/catch.hpp>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>

#include "attn/io/config.h"
#include "attn/tasks/multihead_experiment.h"
#include "seeding.h"
#include "temp_dir.h"

namespace tasks = attn::tasks;

namespace {

const char* kTwoHeadYaml =
    "name: two-heads\n"
    "data: {vocab: 10, length: 10}\n"
    "model: {architecture: multihead_gru, embedding_dim: 16, hidden_size: 32}\n"
    "train: {steps: 10, batch_size: 8, eval_every: 5, eval_examples: 16, eval_set: fixed, checkpoint_every: 5}\n"
    "screening: {good: 2, bad: 3, max_draws: 10}\n"
    "trials: {count: 2, heads: 2}\n";

/// Fraction of (example, step) rows whose argmax over positions is the gold one.
double hits(const torch::Tensor& weights, const torch::Tensor& gold) {
  return weights.argmax(-1).eq(gold).to(torch::kDouble).mean().item<double>();
}

/// Fits head `k`'s query projection Q so that softmax_l((Q d_t) . h_l) puts
/// its mass on the gold position, with the model's own encoder and decoder
/// states held fixed (they do not depend on attention: no input feeding).
void fit_head_to_gold(attn::nn::Seq2SeqModel& model, int64_t k, const attn::data::CopyBatch& batch) {
  torch::Tensor decoder_states, encoder_states;
  {
    torch::NoGradGuard no_grad;
    auto out = model.forward(batch.source, batch.source_mask, batch.target_in);
    decoder_states = out.decoder_states;  // (B, T, D)
    encoder_states = out.encoder_states;  // (B, S, K)
  }
  auto& attention = model.attention();
  auto query = attention.query_weight[k].detach().clone().requires_grad_();  // (K, D)
  torch::optim::Adam optimizer(std::vector<torch::Tensor>{query}, torch::optim::AdamOptions(0.1));
  for (int i = 0; i < 1000; ++i) {
    optimizer.zero_grad();
    auto logits = torch::matmul(torch::matmul(decoder_states, query.t()), encoder_states.transpose(1, 2));  // (B, T, S)
    auto loss = torch::nn::functional::cross_entropy(logits.flatten(0, 1), batch.gold_alignment.flatten());
    loss.backward();
    optimizer.step();
  }
  torch::NoGradGuard no_grad;
  attention.query_weight[k].copy_(query.detach());
}

}  // namespace

TEST_CASE_METHOD(attn_test::Seeded, "per-head attention accuracy reports each head's own attention",
                 "[multihead]") {
  attn_test::TempDir tmp("mh_two_heads");
  const auto config = tasks::parse_multihead_experiment(attn::io::ConfigNode::parse(kTwoHeadYaml, "mh.yaml"));
  const auto two_heads = config.with_heads(2);
  tasks::make_fixed_base(config.copy.model, 0, tmp / "base.pt");
  auto gold_head = tasks::draw_head(config.copy.model, 11), other_head = tasks::draw_head(config.copy.model, 12);

  // Head 0 of a first model is fitted to the gold positions of the task's
  // (fixed) evaluation batch, then copied out as a 1-head module.
  {
    auto model = tasks::assemble_model(config.copy.model, tmp / "base.pt", {gold_head, other_head});
    tasks::MultiheadCopyTask task(two_heads, 0, torch::kCPU, model, /*with_ktiw=*/false);
    model->eval();
    fit_head_to_gold(*model, 0, task.evaluation_batch(0));
    gold_head->copy_head_from(model->attention(), 0, 0);
  }

  auto evaluate = [&](const std::vector<attn::nn::Attention>& heads, std::vector<double>* by_hand) {
    auto model = tasks::assemble_model(config.copy.model, tmp / "base.pt", heads);
    tasks::MultiheadCopyTask task(two_heads, 0, torch::kCPU, model, /*with_ktiw=*/false);
    model->eval();
    const auto row = task.evaluate(0);
    const auto batch = task.evaluation_batch(0);
    torch::NoGradGuard no_grad;
    const auto out = model->forward(batch.source, batch.source_mask, batch.target_in);
    by_hand->clear();
    for (int64_t k = 0; k < 2; ++k) by_hand->push_back(hits(out.head_attention.select(1, k), batch.gold_alignment));
    by_hand->push_back(hits(out.attention, batch.gold_alignment));  // the head mean
    return row;
  };

  std::vector<double> expected;
  const auto row = evaluate({gold_head, other_head}, &expected);
  INFO("by hand: head 0 " << expected[0] << ", head 1 " << expected[1] << ", mean " << expected[2]);
  // The set-up: head 0 attends to the gold position, head 1 does not.
  REQUIRE(expected[0] > 0.9);
  REQUIRE(expected[1] < 0.5);
  CHECK(row.get(tasks::head_metric_name(0)) == Approx(expected[0]));
  CHECK(row.get(tasks::head_metric_name(1)) == Approx(expected[1]));
  CHECK(row.get("attention_acc") == Approx(expected[2]));
  CHECK_FALSE(row.has(tasks::head_metric_name(2)));

  // The same heads in the other order: the model's output is the same (the
  // context is the heads' mean), the per-head numbers swap.
  std::vector<double> swapped_expected;
  const auto swapped = evaluate({other_head, gold_head}, &swapped_expected);
  CHECK(swapped_expected[0] == Approx(expected[1]));
  CHECK(swapped_expected[1] == Approx(expected[0]));
  CHECK(swapped.get(tasks::head_metric_name(0)) == Approx(expected[1]));
  CHECK(swapped.get(tasks::head_metric_name(1)) == Approx(expected[0]));
  CHECK(swapped.get("token_acc") == Approx(row.get("token_acc")));
}
