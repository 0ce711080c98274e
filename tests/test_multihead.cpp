// The multi-head experiment (PAPER.md 2.4, 5 "multihead"): the fixed base is
// what every assembled model starts from, heads survive a save/load, per-head
// attention accuracy agrees with the head-mean one when the heads agree, the
// screening rule, trial plans, and config errors that name file and key.
#include <catch2/catch.hpp>

#include <set>

#include "attn/core/error.h"
#include "attn/io/checkpoint.h"
#include "attn/io/config.h"
#include "attn/io/run_record.h"
#include "attn/tasks/head_screening.h"
#include "attn/tasks/multihead_trials.h"
#include "temp_dir.h"

namespace tasks = attn::tasks;

namespace {

const char* kTinyYaml =
    "name: tiny-multihead\n"
    "data: {vocab: 10, length: 10}\n"
    "model: {architecture: multihead_gru, embedding_dim: 16, hidden_size: 16}\n"
    "train: {steps: 10, batch_size: 8, eval_every: 5, eval_examples: 16, eval_set: fixed, checkpoint_every: 5}\n"
    "screening: {good: 2, bad: 3, max_draws: 10}\n"
    "trials: {count: 2, heads: 3}\n";

tasks::MultiheadExperimentConfig parse_multihead(const std::string& yaml) {
  return tasks::parse_multihead_experiment(attn::io::ConfigNode::parse(yaml, "mh.yaml"));
}

}  // namespace

TEST_CASE("assembled models keep the fixed base's non-attention weights", "[multihead]") {
  attn_test::TempDir tmp("mh_base");
  const auto config = parse_multihead(kTinyYaml);
  const auto& options = config.copy.model;
  tasks::make_fixed_base(options, 5, tmp / "base.pt");

  // The reference: a model made on the base seed, as make_fixed_base did.
  torch::manual_seed(5);
  auto reference = attn::nn::make_copy_model(attn::nn::CopyModelOptions(options).heads(1));
  const auto expected = tasks::non_attention_view(*reference)->named_parameters();
  CHECK(expected.size() == 13);  // 2 embeddings, 2 x 4 GRU tensors, 3 readout weights (no biases)
  for (const auto& p : expected) CHECK(p.key().rfind("attention", 0) != 0);

  std::vector<attn::nn::Attention> heads = {tasks::draw_head(options, 1), tasks::draw_head(options, 2),
                                            tasks::draw_head(options, 3)};
  torch::manual_seed(99);  // the assembled model must not depend on the current seed
  auto model = tasks::assemble_model(options, tmp / "base.pt", heads);
  auto params = model->named_parameters();
  for (const auto& p : expected) CHECK(params[p.key()].equal(p.value()));
  auto& attention = model->attention();
  REQUIRE(attention.options().heads() == 3);
  for (int64_t k = 0; k < 3; ++k) {
    CHECK(attention.query_weight[k].equal(heads[k]->query_weight[0]));
    CHECK(attention.context_weight[k].equal(heads[k]->context_weight[0]));
  }
  // Different heads are different draws; the same seed is the same head.
  CHECK_FALSE(heads[0]->query_weight.equal(heads[1]->query_weight));
  CHECK(tasks::draw_head(options, 2)->query_weight.equal(heads[1]->query_weight));
}

TEST_CASE("a saved head loads back, and a head of another size is refused", "[multihead]") {
  attn_test::TempDir tmp("mh_head");
  const auto config = parse_multihead(kTinyYaml);
  auto head = tasks::draw_head(config.copy.model, 4);
  tasks::save_head(tmp / "head.pt", *head);
  auto loaded = tasks::load_head(config.copy.model, tmp / "head.pt");
  CHECK(loaded->query_weight.equal(head->query_weight));
  CHECK(loaded->context_weight.equal(head->context_weight));
  auto wider = attn::nn::CopyModelOptions(config.copy.model).hidden_size(24);
  CHECK_THROWS_WITH(tasks::load_head(wider, tmp / "head.pt"), Catch::Contains("head.pt") && Catch::Contains("shape"));
}

TEST_CASE("per-head attention accuracy equals the head-mean one when all heads are the same", "[multihead]") {
  attn_test::TempDir tmp("mh_task");
  const auto config = parse_multihead(kTinyYaml);
  tasks::make_fixed_base(config.copy.model, 0, tmp / "base.pt");
  auto head = tasks::draw_head(config.copy.model, 7);
  auto model = tasks::assemble_model(config.copy.model, tmp / "base.pt", {head, head, head});
  tasks::MultiheadCopyTask task(config.with_heads(3), 0, torch::kCPU, model, /*with_ktiw=*/true);
  model->eval();
  const auto row = task.evaluate(0);
  for (const char* name : {"eval_loss", "token_acc", "attention_acc", "ktiw_acc"}) CHECK(row.has(name));
  for (int64_t k = 0; k < 3; ++k) CHECK(row.get(tasks::head_metric_name(k)) == Approx(row.get("attention_acc")));
  CHECK_FALSE(row.has(tasks::head_metric_name(3)));
  // Without the probe, the same numbers minus ktiw_acc.
  tasks::MultiheadCopyTask quick(config.with_heads(3), 0, torch::kCPU, model, /*with_ktiw=*/false);
  const auto quick_row = quick.evaluate(0);
  CHECK_FALSE(quick_row.has("ktiw_acc"));
  CHECK(quick_row.get("token_acc") == row.get("token_acc"));
}

TEST_CASE("screening rule: good on every seed, bad on every seed, else discarded", "[multihead]") {
  tasks::ScreeningOptions s;  // 3 seeds, > 0.95 good, < 0.6 bad
  auto run = [&](std::vector<double> accs) {
    std::vector<attn::train::MetricRow> history;
    for (size_t i = 0; i < accs.size(); ++i) {
      attn::train::MetricRow row;
      row.set("step", 10.0 * i);
      row.set("token_acc", accs[i]);
      history.push_back(row);
    }
    return tasks::classify_screening_run(0, history, s);
  };
  const auto good = run({0.1, 0.96, 0.99}), bad = run({0.1, 0.3, 0.5}), middle = run({0.1, 0.5, 0.7});
  CHECK(good.reached_good);
  CHECK(good.step_to_good == 10);
  CHECK(bad.low);
  CHECK_FALSE(middle.reached_good);
  CHECK_FALSE(middle.low);
  CHECK_FALSE(run({0.2, 0.95, 0.95}).reached_good);  // "exceeds" 0.95

  tasks::HeadClass c;
  CHECK_FALSE(tasks::decide_head({good}, s, true, true, &c));  // needs the other seeds
  CHECK(tasks::decide_head({good, good, good}, s, true, true, &c));
  CHECK(c == tasks::HeadClass::kGood);
  CHECK(tasks::decide_head({bad, bad, bad}, s, true, true, &c));
  CHECK(c == tasks::HeadClass::kBad);
  CHECK(tasks::decide_head({middle}, s, true, true, &c));  // one run settles most heads
  CHECK(c == tasks::HeadClass::kDiscarded);
  CHECK(tasks::decide_head({good, bad}, s, true, true, &c));
  CHECK(c == tasks::HeadClass::kDiscarded);
  CHECK(tasks::decide_head({bad}, s, true, false, &c));  // bad quota already full
  CHECK(c == tasks::HeadClass::kUnverified);
}

TEST_CASE("screening tally: kept heads by draw index, quotas counted below a draw", "[multihead]") {
  tasks::ScreeningOptions s;
  s.good = 2;
  s.bad = 1;
  auto head = [](int64_t draw, tasks::HeadClass c) { return tasks::HeadResult{draw, c, {tasks::ScreeningRun{}}}; };
  using C = tasks::HeadClass;
  // Draw 2 unfinished (a worker still on it, or killed): 3..5 finished.
  const std::vector<tasks::HeadResult> results = {head(0, C::kGood), head(1, C::kDiscarded), head(3, C::kBad),
                                                  head(4, C::kGood), head(5, C::kGood)};
  const auto all = tasks::tally_screening(results, s);
  CHECK(all.complete(s));
  CHECK(all.draws_needed == -1);  // complete, but not over a finished prefix: draw 2 may change it
  CHECK(all.kept_good == std::vector<int64_t>{0, 4});
  CHECK(all.kept_bad == std::vector<int64_t>{3});
  CHECK(all.good == 3);
  const auto below_4 = tasks::tally_screening(results, s, 4);  // what draw 4 sees: draws 0..3
  CHECK(below_4.screened == 3);
  CHECK(below_4.good == 1);
  CHECK_FALSE(below_4.complete(s));  // so draw 4 is screened in full, whatever the timing
  auto with_2 = results;
  with_2.insert(with_2.begin() + 2, head(2, C::kGood));
  const auto prefix = tasks::tally_screening(with_2, s);
  CHECK(prefix.kept_good == std::vector<int64_t>{0, 2});
  CHECK(prefix.draws_needed == 4);
  CHECK(prefix.runs == 6);
  const auto text = tasks::format_screening(prefix, s);
  CHECK_THAT(text, Catch::Contains("| 6 | 4 | 1 | 1 | 0 | 6 | 4 |"));
  CHECK_THAT(text, Catch::Contains("The good quota filled at draw 2 (2 good in draws 0-2)."));
  CHECK_THAT(text, Catch::Contains("The bad quota filled at draw 3 (1 bad in draws 0-3)."));
}

TEST_CASE("trial plans: bad+good swaps one of the same trial's bad heads for a good one", "[multihead]") {
  const auto config = parse_multihead(kTinyYaml);
  for (int64_t i = 0; i < config.trials.count; ++i) {
    const auto bad = tasks::plan_trial(config, tasks::Combination::kBad, i);
    const auto mixed = tasks::plan_trial(config, tasks::Combination::kBadPlusGood, i);
    const auto random = tasks::plan_trial(config, tasks::Combination::kRandom, i);
    REQUIRE(bad.heads.size() == 3);
    REQUIRE(mixed.heads.size() == 3);
    CHECK(bad.data_seed == mixed.data_seed);
    CHECK(random.data_seed == bad.data_seed);
    std::set<int64_t> distinct;
    for (const auto& h : bad.heads) {
      CHECK(h.source == tasks::HeadSource::kBad);
      distinct.insert(h.index);
    }
    CHECK(distinct.size() == 3);
    REQUIRE(mixed.good_slot >= 0);
    CHECK(mixed.heads[mixed.good_slot].source == tasks::HeadSource::kGood);
    std::vector<int64_t> mixed_bad;
    for (const auto& h : mixed.heads)
      if (h.source == tasks::HeadSource::kBad) mixed_bad.push_back(h.index);
    CHECK(mixed_bad == std::vector<int64_t>{bad.heads[0].index, bad.heads[1].index});
    for (const auto& h : random.heads) CHECK(h.source == tasks::HeadSource::kRandom);
    CHECK(tasks::plan_trial(config, tasks::Combination::kBadPlusGood, i).good_slot == mixed.good_slot);
  }
}

TEST_CASE("multi-head configs: errors name the file and the key", "[multihead][config]") {
  const std::string base = kTinyYaml;
  auto error_of = [&](const std::string& yaml) {
    try {
      parse_multihead(yaml);
    } catch (const attn::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of(base + "screening2: 1\n"), Catch::Contains("mh.yaml") && Catch::Contains("screening2"));
  CHECK_THAT(error_of("name: x\nmodel: {architecture: lstm}\ntrain: {eval_set: fixed}\n"),
             Catch::Contains("mh.yaml") && Catch::Contains("model.architecture"));
  CHECK_THAT(error_of("name: x\nmodel: {architecture: multihead_gru}\n"), Catch::Contains("train.eval_set"));
  CHECK_THAT(error_of("name: x\nmodel: {architecture: multihead_gru, heads: 8}\ntrain: {eval_set: fixed}\n"),
             Catch::Contains("model.heads"));
  CHECK_THAT(error_of("name: x\nseeds: 4\nmodel: {architecture: multihead_gru}\ntrain: {eval_set: fixed}\n"),
             Catch::Contains("seeds"));
  CHECK_THAT(error_of("name: x\nmodel: {architecture: multihead_gru}\ntrain: {eval_set: fixed}\n"
                      "trials: {combinations: [bad, good]}\n"),
             Catch::Contains("trials.combinations") && Catch::Contains("'good'"));
  CHECK_THAT(error_of("name: x\nmodel: {architecture: multihead_gru}\ntrain: {eval_set: fixed}\n"
                      "screening: {bad: 4}\ntrials: {heads: 8}\n"),
             Catch::Contains("trials.heads") && Catch::Contains("distinct bad heads"));
  CHECK_THAT(error_of("name: x\nmodel: {architecture: multihead_gru}\ntrain: {eval_set: fixed}\n"
                      "screening: {data_seeds: [1, 1]}\n"),
             Catch::Contains("screening.data_seeds"));
  // The resolved config (what config.yaml holds) parses back to itself.
  const auto config = parse_multihead(kTinyYaml);
  CHECK(parse_multihead(config.resolved_yaml).resolved_yaml == config.resolved_yaml);
}

TEST_CASE("a screened head and a trial leave resumable run folders", "[multihead]") {
  attn_test::TempDir tmp("mh_runs");
  const auto config = parse_multihead(
      "name: micro\ndata: {vocab: 8, length: 8}\n"
      "model: {architecture: multihead_gru, embedding_dim: 8, hidden_size: 8}\n"
      "train: {steps: 6, batch_size: 8, eval_every: 3, eval_examples: 16, eval_set: fixed, checkpoint_every: 3}\n"
      "screening: {good: 1, bad: 3, max_draws: 4}\ntrials: {count: 1, heads: 3}\n");
  const auto& dir = tmp.path();
  tasks::make_fixed_base(config.copy.model, config.base_seed, tasks::fixed_base_path(dir));
  attn::train::RunContext options;
  options.progress = false;

  const auto first = tasks::screen_head(config, dir, 0, options);
  REQUIRE_FALSE(first.runs.empty());
  tasks::HeadClass again;
  REQUIRE(tasks::decide_head(first.runs, config.screening, true, true, &again));
  CHECK(again == first.head_class);
  const auto run_dir = tasks::draw_directory(dir, 0) / "seed_0";
  CHECK(std::filesystem::exists(run_dir / "metrics.csv"));
  CHECK_FALSE(std::filesystem::exists(run_dir / "checkpoint.pt"));  // deleted once done
  const auto written = std::filesystem::last_write_time(run_dir / "metrics.csv");
  const auto second = tasks::screen_head(config, dir, 0, options);  // finished: read back, not retrained
  CHECK(second.head_class == first.head_class);
  CHECK(second.runs.size() == first.runs.size());
  CHECK(std::filesystem::last_write_time(run_dir / "metrics.csv") == written);
  const auto results = tasks::read_screening_results(dir);
  REQUIRE(results.size() == 1);
  CHECK(tasks::tally_screening(results, config.screening).screened == 1);

  // A worker leaves a draw another worker has claimed (here: draw 1) and
  // screens the next free ones; a fresh session's reset voids the claim.
  tasks::reset_screening_claims(dir);
  REQUIRE(tasks::claim_draw(dir, 1));
  CHECK_FALSE(tasks::claim_draw(dir, 1));
  tasks::run_screening_worker(config, dir, options);
  const auto after = tasks::read_screening_results(dir);
  std::vector<int64_t> finished;
  for (const auto& r : after) finished.push_back(r.draw);
  CHECK(finished == std::vector<int64_t>{0, 2, 3});  // max_draws 4, quotas not met by draws 0-2
  CHECK(tasks::tally_screening(after, config.screening).draws_needed < 0);  // draw 1 is a gap
  tasks::reset_screening_claims(dir);
  CHECK(tasks::claim_draw(dir, 1));

  // Kept heads put in place by hand, so the trial does not depend on what screening found.
  for (int64_t i = 0; i < 3; ++i)
    tasks::save_head(tasks::kept_head_path(dir, tasks::HeadClass::kBad, i), *tasks::draw_head(config.copy.model, 10 + i));
  tasks::save_head(tasks::kept_head_path(dir, tasks::HeadClass::kGood, 0), *tasks::draw_head(config.copy.model, 20));
  const auto plan = tasks::plan_trial(config, tasks::Combination::kBadPlusGood, 0);
  const auto history = tasks::run_trial(config, dir, plan, options);
  REQUIRE(history.size() == 3);  // steps 0, 3, 6
  for (int64_t k = 0; k < 3; ++k) CHECK(history.back().has(tasks::head_metric_name(k)));
  const auto trial_dir = tasks::trial_directory(dir, tasks::Combination::kBadPlusGood, 0);
  CHECK(attn::io::run_done(trial_dir));
  CHECK(tasks::summarize_trial(0, attn::train::read_history(trial_dir), 0.95).final_acc == history.back().get("token_acc"));
}
