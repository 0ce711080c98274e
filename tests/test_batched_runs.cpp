// Runs trained as one batched model (issue 17 point 4) against the same runs
// trained alone: losses, evaluations, final parameters and the run folders.
//
// Tolerances, and why: batched products (bmm over R runs) sum in another
// order than the separate mm calls, so values agree to float rounding, not
// bit for bit, and rounding differences grow over training (Adam divides
// each gradient element by its running RMS, so an element whose gradient is
// near the rounding level moves by up to lr per step either way). Measured
// here (OpenBLAS, AVX-512) after 20 steps: losses within 6e-8 relative,
// parameters within 5e-7 absolute. The bounds (1e-5 relative, 1e-5 absolute)
// leave a margin of 20x or more for other BLAS kernels and CPUs, and are far
// below what a wrong batch gives (another run's data, a shared gradient, a
// query projection updated during its uniform stage): losses off in the
// second or third decimal, parameters by about lr = 1e-3 per step.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/cuda.h>

#include <iostream>

#include <cmath>

#include "attn/io/checkpoint.h"
#include "attn/io/config.h"
#include "attn/io/files.h"
#include "attn/io/run_record.h"
#include "attn/nn/batched_copy_models.h"
#include "attn/nn/copy_models.h"
#include "attn/tasks/batched_copy.h"
#include "attn/tasks/copy_experiment.h"
#include "attn/tasks/head_screening.h"
#include "attn/tasks/multihead_trials.h"
#include "attn/train/training_checkpoint.h"
#include "app_runner.h"
#include "seeding.h"
#include "temp_dir.h"

namespace {

namespace tasks = attn::tasks;
namespace fs = std::filesystem;

// Relative bound on training and evaluation losses after 20 steps.
constexpr double kLossTolerance = 1e-5;
// Absolute bound on any parameter element after 20 steps (parameters are O(0.1)).
constexpr double kParameterTolerance = 1e-5;

tasks::CopyExperimentConfig config(const std::string& model, int64_t steps, int64_t uniform_steps) {
  const std::string yaml = fmt::format(
      "name: batched\nseeds: 3\ndata: {{vocab: 12, length: 8}}\nmodel: {}\n"
      "train: {{steps: {}, batch_size: 16, eval_every: 5, eval_examples: 32, checkpoint_every: 10, "
      "uniform_steps: {}}}\n",
      model, steps, uniform_steps);
  return tasks::parse_copy_experiment(attn::io::ConfigNode::parse(yaml, "<test>"));
}

attn::train::RunContext quiet() {
  attn::train::RunContext context;
  context.progress = false;
  return context;
}

// The parameters a run folder's checkpoint holds, loaded into a fresh model.
std::vector<torch::Tensor> checkpoint_parameters(const tasks::CopyExperimentConfig& c, const fs::path& dir) {
  auto model = attn::nn::make_copy_model(c.model);
  attn::train::load_checkpoint(dir / "checkpoint.pt", *model, nullptr);
  std::vector<torch::Tensor> out;
  for (const auto& p : model->parameters()) out.push_back(p.detach().clone());
  return out;
}

void compare_runs(const tasks::CopyExperimentConfig& c, const fs::path& alone, const fs::path& batched) {
  auto a = attn::train::read_history(alone), b = attn::train::read_history(batched);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].get("step") == b[i].get("step"));
    CHECK(a[i].get("stage") == b[i].get("stage"));
    for (const char* name : {"train_loss", "eval_loss"}) {
      if (std::isnan(a[i].get(name))) continue;
      INFO(alone.string() << " step " << a[i].get("step") << " " << name);
      CHECK(b[i].get(name) == Approx(a[i].get(name)).epsilon(kLossTolerance));
    }
  }
  auto pa = checkpoint_parameters(c, alone), pb = checkpoint_parameters(c, batched);
  REQUIRE(pa.size() == pb.size());
  double worst = 0;
  for (size_t i = 0; i < pa.size(); ++i) worst = std::max(worst, (pa[i] - pb[i]).abs().max().item<double>());
  INFO(alone.string() << ": largest parameter difference " << worst);
  CHECK(worst < kParameterTolerance);
  // The folder is a complete run folder of today's layout.
  for (const char* file : {"config.yaml", "run.json", "metrics.csv", "metrics.jsonl", "checkpoint.pt", "done"})
    CHECK(fs::exists(batched / file));
  CHECK(attn::io::run_done(batched));
}

void batched_equals_separate(const tasks::CopyExperimentConfig& c, const std::string& label) {
  attn_test::TempDir tmp(label);
  const std::vector<int64_t> seeds = {0, 1, 2};
  std::vector<fs::path> dirs;
  for (auto seed : seeds) {
    tasks::run_copy_seed(c, seed, tasks::seed_directory(tmp / "alone", seed), quiet(), false);
    dirs.push_back(tasks::seed_directory(tmp / "batched", seed));
  }
  auto results = tasks::run_copy_seeds_batched(c, seeds, dirs, quiet(), false);
  REQUIRE(results.size() == 3);
  for (auto seed : seeds) compare_runs(c, tasks::seed_directory(tmp / "alone", seed), dirs[seed]);
  // run.json says which runs shared the batched model, and that a run alone had none.
  const std::vector<std::string> members = {dirs[0].string(), dirs[1].string(), dirs[2].string()};
  for (auto seed : seeds) {
    const auto batched = nlohmann::json::parse(attn::io::read_text_file(dirs[seed] / "run.json"));
    CHECK(batched["batched_runs"].get<std::vector<std::string>>() == members);
    const auto alone =
        nlohmann::json::parse(attn::io::read_text_file(tasks::seed_directory(tmp / "alone", seed) / "run.json"));
    CHECK(alone["batched_runs"].is_null());
  }
}

}  // namespace

TEST_CASE("3 lstm runs trained batched for 20 steps equal the 3 runs trained alone", "[batched]") {
  // Bidirectional (both encoder directions batched) and a uniform stage of
  // 5 steps (the query projection must stay out of the batch until then).
  batched_equals_separate(
      config("{embedding_dim: 24, hidden_size: 24, bidirectional: true}", 20, 5), "batched_lstm");
}

TEST_CASE("3 multihead_gru runs trained batched for 20 steps equal the 3 runs trained alone", "[batched]") {
  batched_equals_separate(config("{architecture: multihead_gru, embedding_dim: 24, hidden_size: 24, heads: 3}", 20, 0),
                          "batched_gru");
}

namespace {

// Three models, the middle one in its uniform stage: the batched forward
// gives each run its own log-probabilities and gradients, and the uniform
// run's query projection no gradient at all (as alone).
void check_batched_forward(const attn::nn::CopyModelOptions& options, torch::Device device, torch::Dtype dtype,
                           double rtol) {
  std::vector<std::shared_ptr<attn::nn::Seq2SeqModel>> alone, batched;
  for (int r = 0; r < 3; ++r) {
    torch::manual_seed(100 + r);
    alone.push_back(attn::nn::make_copy_model(options));
    torch::manual_seed(100 + r);
    batched.push_back(attn::nn::make_copy_model(options));
    alone.back()->to(device, dtype);
    batched.back()->to(device, dtype);
  }
  alone[1]->set_uniform_attention(true);
  batched[1]->set_uniform_attention(true);
  const int64_t V = options.vocab_size();
  auto ids = torch::TensorOptions().dtype(torch::kLong).device(device);
  auto source = torch::randint(0, V, {3, 5, 6}, ids), target_in = torch::randint(0, V, {3, 5, 4}, ids);
  auto target_out = torch::randint(0, V, {3, 5, 4}, ids);
  auto mask = torch::ones({3, 5, 6}, torch::TensorOptions().dtype(torch::kBool).device(device));
  mask[0][1].narrow(0, 4, 2).fill_(false);  // one padded row (right padding)

  std::vector<attn::nn::Seq2SeqModel*> models;
  for (auto& m : batched) models.push_back(m.get());
  auto out = attn::nn::batched_copy_forward(models, source, mask, target_in);
  attn::nn::per_run_nll(out.log_probs, target_out).sum().backward();
  for (int r = 0; r < 3; ++r) {
    auto single = alone[r]->forward(source[r], mask[r], target_in[r]);
    CHECK(torch::allclose(out.log_probs[r], single.log_probs, rtol, 1e-6));
    attn::nn::per_run_nll(single.log_probs.unsqueeze(0), target_out[r].unsqueeze(0)).sum().backward();
    auto pa = alone[r]->named_parameters(), pb = batched[r]->named_parameters();
    for (const auto& item : pa) {
      INFO("run " << r << " " << item.key());
      const auto& gb = pb[item.key()].grad();
      REQUIRE(item.value().grad().defined() == gb.defined());
      if (gb.defined()) CHECK(torch::allclose(gb, item.value().grad(), 10 * rtol, 1e-6));
    }
  }
  CHECK_FALSE(batched[1]->attention().query_weight.grad().defined());
  CHECK(batched[0]->attention().query_weight.grad().defined());
}

attn::nn::CopyModelOptions small_model(attn::nn::Architecture architecture) {
  auto options = attn::nn::CopyModelOptions().architecture(architecture).vocab_size(9).embedding_dim(8).hidden_size(8);
  if (architecture == attn::nn::Architecture::kMultiheadGru) options.heads(2);
  else options.bidirectional(true);
  return options;
}

}  // namespace

TEST_CASE_METHOD(attn_test::Seeded, "batched forward: per-run uniform attention and per-run gradients",
                 "[batched]") {
  using attn::nn::Architecture;
  for (auto architecture : {Architecture::kLstm, Architecture::kMultiheadGru}) {
    INFO(attn::nn::architecture_name(architecture));
    // CPU float: the fused batched recurrences (batched_recurrence.h).
    check_batched_forward(small_model(architecture), torch::kCPU, torch::kFloat, 1e-5);
    // CPU double: the generic route that CUDA takes (autograd step by step).
    check_batched_forward(small_model(architecture), torch::kCPU, torch::kDouble, 1e-9);
  }
}

TEST_CASE_METHOD(attn_test::Seeded, "batched forward on CUDA (skipped without a GPU)", "[batched][cuda]") {
  if (!torch::cuda::is_available()) {
    std::cout << "SKIPPED: no CUDA device" << std::endl;  // CTest counts it as skipped
    return;
  }
  using attn::nn::Architecture;
  for (auto architecture : {Architecture::kLstm, Architecture::kMultiheadGru})
    check_batched_forward(small_model(architecture), torch::kCUDA, torch::kFloat, 1e-4);
}

TEST_CASE("a batched set resumes a run trained alone, at another step than its partner", "[batched]") {
  // Seed 1 trains 10 steps alone; then seeds 0 (fresh) and 1 (resumed at
  // step 10) train batched to 20: both must end where they end alone.
  attn_test::TempDir tmp("batched_resume");
  auto c10 = config("{embedding_dim: 16, hidden_size: 16}", 10, 0), c20 = config("{embedding_dim: 16, hidden_size: 16}", 20, 0);
  auto context = quiet();
  for (int64_t seed : {0, 1}) tasks::run_copy_seed(c20, seed, tasks::seed_directory(tmp / "alone", seed), context, false);
  {
    tasks::CopyTask first(c10, 1, torch::kCPU);
    auto options = c10.train.trainer;
    options.progress(false);
    attn::train::TwoStageTrainer(first, options, tmp / "batched" / "seed_01").run(false);
  }
  tasks::CopyTask zero(c20, 0, torch::kCPU), one(c20, 1, torch::kCPU);
  auto options = c20.train.trainer;
  options.progress(false);
  std::vector<attn::train::BatchedMember> members = {{&zero, options, tmp / "batched" / "seed_00"},
                                                     {&one, options, tmp / "batched" / "seed_01"}};
  auto results = attn::train::train_batched(members, tasks::batched_copy_loss({&zero, &one}), /*resume=*/true);
  CHECK(results[0].resumed_from == -1);
  CHECK(results[1].resumed_from == 10);
  for (int64_t seed : {0, 1}) {
    auto a = checkpoint_parameters(c20, tasks::seed_directory(tmp / "alone", seed));
    auto b = checkpoint_parameters(c20, tasks::seed_directory(tmp / "batched", seed));
    for (size_t i = 0; i < a.size(); ++i) CHECK((a[i] - b[i]).abs().max().item<double>() < kParameterTolerance);
    auto ha = attn::train::read_history(tasks::seed_directory(tmp / "alone", seed));
    auto hb = attn::train::read_history(tasks::seed_directory(tmp / "batched", seed));
    REQUIRE(ha.size() == hb.size());
    CHECK(hb.back().get("eval_loss") == Approx(ha.back().get("eval_loss")).epsilon(kLossTolerance));
  }
}

TEST_CASE("batch sets: consecutive groups of at most R, and the --batch-runs default by device", "[batched]") {
  auto sets = attn::train::batch_sets(5, 2);
  REQUIRE(sets.size() == 3);
  CHECK(sets[0] == std::vector<size_t>({0, 1}));
  CHECK(sets[2] == std::vector<size_t>({4}));
  CHECK_THROWS_WITH(attn::train::batch_sets(3, 0), Catch::Contains("--batch-runs") && Catch::Contains("got 0"));
  CHECK(tasks::default_batch_runs(false, 40) == 1);
  CHECK(tasks::default_batch_runs(true, 40) == 40);
  CHECK(tasks::default_batch_runs(true, 3) == 3);
}

TEST_CASE("attn-copy --batch-runs: the same run folders and summary as worker processes", "[batched][apps]") {
  attn_test::TempDir tmp("batched_app");
  const std::string base = "attn-copy --config " + std::string(ATTN_SOURCE_DIR) +
                           "/experiments/copy/tiny.yaml --seeds 3 --threads 2 --quiet --out ";
  auto alone = attn_test::run_app(base + (tmp / "alone").string() + " --jobs 2");
  REQUIRE(alone.code == 0);
  // In this process (one job), and in worker processes given --worker-seeds.
  auto in_process = attn_test::run_app(base + (tmp / "in_process").string() + " --jobs 1 --batch-runs 3");
  INFO(in_process.output);
  REQUIRE(in_process.code == 0);
  CHECK(in_process.output.find("up to 3 runs batched each") != std::string::npos);
  auto workers = attn_test::run_app(base + (tmp / "workers").string() + " --jobs 2 --batch-runs 2");
  INFO(workers.output);
  REQUIRE(workers.code == 0);
  auto c = tasks::load_copy_experiment(fs::path(ATTN_SOURCE_DIR) / "experiments/copy/tiny.yaml");
  for (int64_t seed : {0, 1, 2})
    for (const char* set : {"in_process", "workers"})
      compare_runs(c, tasks::seed_directory(tmp / "alone" / "tiny", seed), tasks::seed_directory(tmp / set / "tiny", seed));
  for (const char* set : {"in_process", "workers"}) CHECK(fs::exists(tmp / set / "summary.md"));
  // A batched folder resumes alone: nothing left to train, the summary is rebuilt.
  auto resumed = attn_test::run_app(base + (tmp / "workers").string() + " --jobs 1 --resume");
  CHECK(resumed.code == 0);

  auto bad = attn_test::run_app(base + (tmp / "bad").string() + " --batch-runs 0");
  CHECK(bad.code == 2);
  CHECK_THAT(attn_test::last_line(bad.output),
             Catch::StartsWith("attn-copy: error:") &&
                 Catch::Contains("--batch-runs: expected at least 1 run per process, got 0"));
}

TEST_CASE("multi-head screening and trials batched equal them one at a time", "[batched][multihead]") {
  attn_test::TempDir tmp("batched_mh");
  // Quotas that never fill, so that no draw's decision depends on another's
  // timing (with a full quota a draw stops as "unverified").
  const auto config = tasks::parse_multihead_experiment(attn::io::ConfigNode::parse(
      "name: micro\ndata: {vocab: 8, length: 8}\n"
      "model: {architecture: multihead_gru, embedding_dim: 8, hidden_size: 8}\n"
      "train: {steps: 12, batch_size: 8, eval_every: 3, eval_examples: 16, eval_set: fixed, checkpoint_every: 3}\n"
      "screening: {good: 9, bad: 9, max_draws: 9}\ntrials: {count: 1, heads: 3}\n",
      "mh.yaml"));
  auto context = quiet();
  for (const char* set : {"alone", "batched"}) {
    tasks::make_fixed_base(config.copy.model, config.base_seed, tasks::fixed_base_path(tmp / set));
    // Kept heads put in place by hand (the trials read them; quotas of 9 each).
    for (int64_t i = 0; i < 9; ++i) {
      tasks::save_head(tasks::kept_head_path(tmp / set, tasks::HeadClass::kBad, i),
                       *tasks::draw_head(config.copy.model, 10 + i));
      tasks::save_head(tasks::kept_head_path(tmp / set, tasks::HeadClass::kGood, i),
                       *tasks::draw_head(config.copy.model, 20 + i));
    }
  }
  const std::vector<int64_t> draws = {0, 1, 2, 3};
  std::vector<tasks::HeadResult> alone;
  for (auto draw : draws) alone.push_back(tasks::screen_head(config, tmp / "alone", draw, context));
  const auto batched = tasks::screen_heads(config, tmp / "batched", draws, context);
  REQUIRE(batched.size() == alone.size());
  for (size_t d = 0; d < draws.size(); ++d) {
    INFO("draw " << draws[d]);
    CHECK(batched[d].head_class == alone[d].head_class);
    REQUIRE(batched[d].runs.size() == alone[d].runs.size());
    for (size_t i = 0; i < alone[d].runs.size(); ++i) {
      const auto seed_dir = "seed_" + std::to_string(alone[d].runs[i].data_seed);
      auto a = attn::train::read_history(tasks::draw_directory(tmp / "alone", draws[d]) / seed_dir);
      auto b = attn::train::read_history(tasks::draw_directory(tmp / "batched", draws[d]) / seed_dir);
      REQUIRE(a.size() == b.size());  // stop_when stopped both at the same evaluation
      CHECK(b.back().get("eval_loss") == Approx(a.back().get("eval_loss")).epsilon(kLossTolerance));
    }
  }
  const std::vector<tasks::TrialPlan> plans = {tasks::plan_trial(config, tasks::Combination::kBad, 0),
                                               tasks::plan_trial(config, tasks::Combination::kBadPlusGood, 0),
                                               tasks::plan_trial(config, tasks::Combination::kRandom, 0)};
  const auto trials = tasks::run_trials(config, tmp / "batched", plans, context);
  REQUIRE(trials.size() == 3);
  for (size_t i = 0; i < plans.size(); ++i) {
    const auto history = tasks::run_trial(config, tmp / "alone", plans[i], context);
    REQUIRE(history.size() == trials[i].size());
    for (size_t j = 0; j < history.size(); ++j)
      CHECK(trials[i][j].get("eval_loss") == Approx(history[j].get("eval_loss")).epsilon(kLossTolerance));
    CHECK(attn::io::run_done(tasks::trial_directory(tmp / "batched", plans[i].combination, 0)));
  }
}
