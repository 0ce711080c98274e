// Per-head dynamics of the combination trials (see attn/tasks/trial_heads.h).
#include "attn/tasks/trial_heads.h"

#include <fmt/format.h>

#include <algorithm>

#include "attn/io/csv.h"
#include "attn/core/error.h"

namespace attn::tasks {

int64_t TrialHeads::attending_at_end(double other_level) const {
  return std::count_if(final_acc.begin(), final_acc.end(), [other_level](double a) { return a > other_level; });
}

std::vector<int64_t> TrialHeads::first_attending() const {
  std::vector<int64_t> first;
  int64_t earliest = -1;
  for (size_t k = 0; k < step_attending.size(); ++k) {
    const int64_t step = step_attending[k];
    if (step < 0) continue;
    if (earliest < 0 || step < earliest) {
      earliest = step;
      first.clear();
    }
    if (step == earliest) first.push_back(static_cast<int64_t>(k));
  }
  return first;
}

TrialHeads read_trial_heads(const TrialPlan& plan, const std::vector<train::MetricRow>& history, double level) {
  const auto label = fmt::format("{} trial {}", combination_name(plan.combination), plan.trial);
  check(!history.empty(), "{}: no evaluations recorded", label);
  TrialHeads t;
  t.combination = plan.combination;
  t.trial = plan.trial;
  t.good_slot = plan.good_slot;
  t.level = level;
  for (size_t k = 0; k < plan.heads.size(); ++k) {
    t.sources.push_back(plan.heads[k].source);
    const std::string column = head_metric_name(static_cast<int64_t>(k));
    check(history.back().has(column), "{}: metrics have no column {} (expected {} heads)", label, column,
          plan.heads.size());
    t.final_acc.push_back(history.back().get(column));
    int64_t step = -1;
    for (const auto& row : history)
      if (row.get(column) > level) {
        step = static_cast<int64_t>(row.get("step"));
        break;
      }
    t.step_attending.push_back(step);
  }
  return t;
}

namespace {

std::string median_step(const std::vector<int64_t>& steps) {
  if (steps.empty()) return "-";
  return fmt::format("{:g}", median_of(std::vector<double>(steps.begin(), steps.end())));
}

// Whether the good head leads and the bad heads follow, over the bad+good trials.
std::string good_head_paragraph(const std::vector<const TrialHeads*>& trials, double level) {
  int64_t good_ends = 0, good_first = 0, bad_first = 0, tied = 0, none = 0;
  int64_t bad_heads = 0, bad_ending = 0, trials_with_bad = 0, after = 0, before = 0, same = 0;
  std::vector<int64_t> good_steps, bad_steps;
  for (const auto* t : trials) {
    const int64_t g = t->good_slot;
    if (t->final_acc[g] > level) ++good_ends;
    const auto first = t->first_attending();
    const bool good_in_first = std::find(first.begin(), first.end(), g) != first.end();
    if (first.empty()) ++none;
    else if (good_in_first && first.size() == 1) ++good_first;
    else if (good_in_first) ++tied;
    else ++bad_first;
    if (t->step_attending[g] >= 0) good_steps.push_back(t->step_attending[g]);
    bool any_bad = false;
    for (size_t k = 0; k < t->final_acc.size(); ++k) {
      if (static_cast<int64_t>(k) == g) continue;
      ++bad_heads;
      if (t->final_acc[k] <= level) continue;
      ++bad_ending;
      any_bad = true;
      const int64_t step = t->step_attending[k];
      bad_steps.push_back(step);
      const int64_t good_step = t->step_attending[g];
      if (good_step < 0 || step < good_step) ++before;
      else if (step == good_step) ++same;
      else ++after;
    }
    if (any_bad) ++trials_with_bad;
  }
  const auto n = trials.size();
  return fmt::format(
      "bad+good, {} trials: the good head ends above {} in {}. It is the first head above {} in {}; a bad head is "
      "first in {}, the good head and a bad head at the same evaluation in {}, no head in {}. {} of the {} bad "
      "heads end above {} (in {} trials): {} after the good head passed it, {} at the same evaluation, {} "
      "before. Median step above {}: good head {}, those bad heads {}.\n",
      n, level, good_ends, level, good_first, bad_first, tied, none, bad_ending, bad_heads, level, trials_with_bad,
      after, same, before, level, median_step(good_steps), median_step(bad_steps));
}

}  // namespace

std::string format_trial_heads(const std::vector<TrialHeads>& trials) {
  const double level = trials.empty() ? kAttendingLevel : trials.front().level;
  for (const auto& t : trials)
    check(t.level == level, "{} trial {}: read at attending level {}, the others at {}",
          combination_name(t.combination), t.trial, t.level, level);
  std::string out = fmt::format(
      "A head attends once its attention accuracy is above {}.\n\n"
      "| combination | trials | heads attending at the end, mean per trial | trials with 0 / 1 / 2+ attending heads "
      "|\n|---|---:|---:|---:|\n",
      level);
  std::vector<Combination> order;
  for (const auto& t : trials)
    if (std::find(order.begin(), order.end(), t.combination) == order.end()) order.push_back(t.combination);
  std::vector<const TrialHeads*> with_good;
  for (auto c : order) {
    int64_t n = 0, heads = 0, zero = 0, one = 0, more = 0;
    for (const auto& t : trials) {
      if (t.combination != c) continue;
      const int64_t a = t.attending_at_end();
      ++n;
      heads += a;
      (a == 0 ? zero : a == 1 ? one : more) += 1;
      if (c == Combination::kBadPlusGood && t.good_slot >= 0) with_good.push_back(&t);
    }
    out += fmt::format("| {} | {} | {:.2f} | {} / {} / {} |\n", combination_name(c), n,
                       static_cast<double>(heads) / n, zero, one, more);
  }
  if (!with_good.empty()) out += "\n" + good_head_paragraph(with_good, level);
  return out;
}

std::string trial_heads_csv(const std::vector<TrialHeads>& trials) {
  std::string out = "combination,trial,slot,source,final_attention_acc,step_attending\n";
  for (const auto& t : trials)
    for (size_t k = 0; k < t.final_acc.size(); ++k)
      out += fmt::format("{},{},{},{},{:.6f},{}\n", io::csv_field(combination_name(t.combination)), t.trial, k,
                         io::csv_field(head_source_name(t.sources[k])),
                         t.final_acc[k], t.step_attending[k]);
  return out;
}

}  // namespace attn::tasks
