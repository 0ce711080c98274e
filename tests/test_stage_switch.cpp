// The two-stage trainer's switch at 0 < K < steps (PAPER.md 2, "uniform for the
// first K steps, learned after"): a wrapping TrainingTask copies the weights
// at every evaluation (eval_every 1: the weights after s updates, s = 0 ..
// steps) and notes the attention mode of every update. The query projection
// (query_weight, query_bias: the only parameters unused while attention is
// uniform, attn/nn/attention.h) must stay bit-identical through the K uniform
// updates and move at every update after; every other parameter moves from the
// first update on. A switch one step early or late, never switching, or a
// stage that still trains the query, fails.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <map>

#include "attn/io/config.h"
#include "attn/tasks/copy_task.h"
#include "seeding.h"
#include "temp_dir.h"

namespace {

constexpr int64_t kSteps = 6, kUniformSteps = 3;

using Weights = std::map<std::string, torch::Tensor>;

/// Forwards to a CopyTask; records the weights seen by evaluate(step) and
/// whether attention was uniform at evaluate(step) and training_loss(step).
class Recording : public attn::train::TrainingTask {
 public:
  explicit Recording(attn::tasks::CopyTask& inner) : inner_(inner) {}
  torch::nn::Module& model() override { return inner_.model(); }
  void begin_stage(attn::train::Stage stage) override { inner_.begin_stage(stage); }
  torch::Tensor training_loss(int64_t step) override {
    uniform_at[step] = inner_.seq2seq().uniform_attention();
    return inner_.training_loss(step);
  }
  attn::train::MetricRow evaluate(int64_t step) override {
    Weights copy;
    for (const auto& p : inner_.model().named_parameters()) copy[p.key()] = p.value().detach().clone();
    weights_at[step] = copy;
    uniform_at_evaluation[step] = inner_.seq2seq().uniform_attention();
    return {};
  }

  std::map<int64_t, Weights> weights_at;
  std::map<int64_t, bool> uniform_at;             // at training_loss(step)
  std::map<int64_t, bool> uniform_at_evaluation;  // at evaluate(step)

 private:
  attn::tasks::CopyTask& inner_;
};

bool is_query_side(const std::string& name) {
  return name == "attention.query_weight" || name == "attention.query_bias";
}

}  // namespace

TEST_CASE_METHOD(attn_test::Seeded, "stage switch at 0 < K < steps: the query projection moves only after K",
                 "[train]") {
  attn_test::TempDir tmp("stage_switch");
  const std::string yaml = fmt::format(
      "name: switch\ndata: {{vocab: 8, length: 6}}\nmodel: {{embedding_dim: 8, hidden_size: 8}}\n"
      "train: {{steps: {}, batch_size: 8, eval_every: 1, eval_examples: 8, checkpoint_every: 0, uniform_steps: {}}}\n",
      kSteps, kUniformSteps);
  const auto config = attn::tasks::parse_copy_experiment(attn::io::ConfigNode::parse(yaml, "<test>"));
  attn::tasks::CopyTask task(config, 5, torch::kCPU);
  Recording recording(task);
  attn::train::TrainerOptions options = config.train.trainer;
  options.progress(false);
  REQUIRE(options.uniform_steps() == kUniformSteps);
  REQUIRE(options.checkpoint_every() == 0);
  const auto result = attn::train::TwoStageTrainer(recording, options, tmp.path()).run(false);

  // Updates 0 .. K-1 with uniform attention, K .. steps-1 learned.
  REQUIRE(recording.uniform_at.size() == static_cast<size_t>(kSteps));
  for (const auto& [step, uniform] : recording.uniform_at) {
    INFO("update at step " << step);
    CHECK(uniform == (step < kUniformSteps));
  }
  // The row of step s evaluates the weights after s updates: stage 1 before
  // K, stage 2 after K (the row at K itself may report either), and the
  // evaluation ran in the mode its row reports.
  REQUIRE(result.history.size() == static_cast<size_t>(kSteps + 1));
  REQUIRE(recording.uniform_at_evaluation.size() == static_cast<size_t>(kSteps + 1));
  for (int64_t s = 0; s <= kSteps; ++s) {
    INFO("evaluation at step " << s);
    const double stage = result.history[static_cast<size_t>(s)].get("stage");
    if (s < kUniformSteps) CHECK(stage == 1);
    if (s > kUniformSteps) CHECK(stage == 2);
    CHECK(recording.uniform_at_evaluation.at(s) == (stage == 1));
  }

  // weights_at[s]: after s updates.
  REQUIRE(recording.weights_at.size() == static_cast<size_t>(kSteps + 1));
  const auto& initial = recording.weights_at.at(0);
  REQUIRE(initial.count("attention.query_weight") == 1);
  REQUIRE(initial.count("attention.query_bias") == 1);
  for (const auto& [name, first] : initial) {
    for (int64_t s = 1; s <= kSteps; ++s) {
      const auto& now = recording.weights_at.at(s).at(name);
      const auto& before = recording.weights_at.at(s - 1).at(name);
      INFO(name << " after " << s << " updates");
      if (is_query_side(name) && s <= kUniformSteps) {
        CHECK(now.equal(first));  // bit-identical through the uniform stage
      } else {
        CHECK_FALSE(now.equal(before));  // moved by update s - 1
      }
    }
  }
}
