// Per-head dynamics of the multi-head trials (attn/tasks/trial_heads.h): which
// heads end attending, which passed the level first, and whether the bad heads
// of a bad+good trial follow the good one, on hand-made histories whose
// answers are known.
#include <catch2/catch.hpp>

#include "attn/core/error.h"
#include "attn/tasks/trial_heads.h"

namespace tasks = attn::tasks;
using attn::train::MetricRow;
using tasks::Combination;

namespace {

// One row per evaluation step 0, 10, 20, ...; curves[k][i] is head k's attention accuracy at row i.
std::vector<MetricRow> history_of(const std::vector<std::vector<double>>& curves) {
  std::vector<MetricRow> rows(curves.front().size());
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].set("step", 10.0 * i);
    for (size_t k = 0; k < curves.size(); ++k) rows[i].set(tasks::head_metric_name(k), curves[k][i]);
  }
  return rows;
}

// A plan of `heads` heads of the combination's kind, the good one (if any) in `good_slot`.
tasks::TrialPlan plan_of(Combination combination, int64_t trial, int64_t heads, int64_t good_slot = -1) {
  tasks::TrialPlan plan;
  plan.combination = combination;
  plan.trial = trial;
  plan.good_slot = good_slot;
  for (int64_t k = 0; k < heads; ++k)
    plan.heads.push_back({combination == Combination::kRandom ? attn::tasks::HeadSource::kRandom : k == good_slot ? attn::tasks::HeadSource::kGood : attn::tasks::HeadSource::kBad, k});
  return plan;
}

}  // namespace

TEST_CASE("trial heads: final accuracy, first step above the level, and who passed it first", "[multihead]") {
  // Head 1 passes 0.5 at step 20 and stays; head 2 follows at step 30; head 0
  // touches 0.6 at step 10 but ends at 0.2; head 3 never attends.
  const auto history = history_of({{0.1, 0.6, 0.3, 0.2}, {0.1, 0.4, 0.7, 0.9}, {0.0, 0.1, 0.4, 0.8}, {0, 0, 0, 0}});
  const auto t = tasks::read_trial_heads(plan_of(Combination::kBadPlusGood, 4, 4, 1), history);
  CHECK(t.final_acc == std::vector<double>{0.2, 0.9, 0.8, 0.0});
  CHECK(t.step_attending == std::vector<int64_t>{10, 20, 30, -1});
  CHECK(t.attending_at_end() == 2);
  CHECK(t.attending_at_end(0.85) == 1);
  CHECK(t.first_attending() == std::vector<int64_t>{0});  // passing, not ending, decides who was first

  const auto tied = tasks::read_trial_heads(plan_of(Combination::kRandom, 0, 3),
                                            history_of({{0, 0.7}, {0, 0.1}, {0, 0.9}}));
  CHECK(tied.first_attending() == std::vector<int64_t>{0, 2});
  CHECK(tasks::read_trial_heads(plan_of(Combination::kBad, 0, 1), history_of({{0, 0.1}})).first_attending().empty());

  CHECK_THROWS_WITH(tasks::read_trial_heads(plan_of(Combination::kBad, 7, 5), history),
                    Catch::Contains("bad trial 7") && Catch::Contains("head4_attention_acc"));
}

TEST_CASE("trial heads summary: attending heads per combination, the good head leads, bad heads follow",
          "[multihead]") {
  std::vector<tasks::TrialHeads> trials;
  // bad: one trial with no attending head, one with a single one.
  trials.push_back(tasks::read_trial_heads(plan_of(Combination::kBad, 0, 3),
                                           history_of({{0, 0.1}, {0, 0.2}, {0, 0.1}})));
  trials.push_back(tasks::read_trial_heads(plan_of(Combination::kBad, 1, 3),
                                           history_of({{0, 0.1}, {0, 0.8}, {0, 0.1}})));
  // bad+good, good head in slot 0: it leads and bad head 2 follows (trial 0);
  // a bad head leads it (trial 1); they pass at the same evaluation (trial 2).
  trials.push_back(tasks::read_trial_heads(plan_of(Combination::kBadPlusGood, 0, 3, 0),
                                           history_of({{0, 0.6, 0.9}, {0, 0.1, 0.1}, {0, 0.2, 0.7}})));
  trials.push_back(tasks::read_trial_heads(plan_of(Combination::kBadPlusGood, 1, 3, 0),
                                           history_of({{0, 0.2, 0.9}, {0, 0.6, 0.9}, {0, 0, 0}})));
  trials.push_back(tasks::read_trial_heads(plan_of(Combination::kBadPlusGood, 2, 3, 0),
                                           history_of({{0, 0.7, 0.9}, {0, 0.6, 0.4}, {0, 0, 0}})));
  const std::string text = tasks::format_trial_heads(trials);
  CHECK_THAT(text, Catch::Contains("| bad | 2 | 0.50 | 1 / 1 / 0 |"));
  CHECK_THAT(text, Catch::Contains("| bad+good | 3 | 1.67 | 0 / 1 / 2 |"));
  CHECK_THAT(text, Catch::Contains("the good head ends above 0.5 in 3"));
  CHECK_THAT(text, Catch::Contains("first head above 0.5 in 1; a bad head is first in 1, the good head and a bad "
                                   "head at the same evaluation in 1, no head in 0"));
  // Bad heads ending above 0.5: trial 0 head 2 (step 20, after the good head's
  // 10) and trial 1 head 1 (step 10, before the good head's 20); trial 2's
  // head 1 passed with the good head but fell back, so it does not count.
  CHECK_THAT(text, Catch::Contains("2 of the 6 bad heads end above 0.5 (in 2 trials): 1 after the good head passed "
                                   "it, 0 at the same evaluation, 1 before"));
  CHECK_THAT(text, Catch::Contains("good head 10, those bad heads 15"));

  const std::string csv = tasks::trial_heads_csv(trials);
  CHECK_THAT(csv, Catch::StartsWith("combination,trial,slot,source,final_attention_acc,step_attending\n"));
  CHECK_THAT(csv, Catch::Contains("bad+good,0,0,good,0.900000,10\n"));
  CHECK_THAT(csv, Catch::Contains("bad+good,0,2,bad,0.700000,20\n"));
  CHECK_THAT(csv, Catch::Contains("bad,0,1,bad,0.200000,-1\n"));
}
