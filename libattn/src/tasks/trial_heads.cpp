// Per-head dynamics of the combination trials (see attn/tasks/trial_heads.h).
#include "attn/tasks/trial_heads.h"

#include <fmt/format.h>

#include <algorithm>

#include "attn/core/error.h"

namespace attn::tasks {

int64_t TrialHeads::attending_at_end(double level) const {
  return std::count_if(final_acc.begin(), final_acc.end(), [level](double a) { return a > level; });
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

TrialHeads read_trial_heads(Combination combination, int64_t trial, int64_t good_slot,
                            const std::vector<train::MetricRow>& history, int64_t heads, double level) {
  check(!history.empty(), "{} trial {}: no evaluations recorded", combination_name(combination), trial);
  TrialHeads t;
  t.combination = combination;
  t.trial = trial;
  t.good_slot = good_slot;
  for (int64_t k = 0; k < heads; ++k) {
    const std::string column = fmt::format("head{}_attention_acc", k);
    check(history.back().has(column), "{} trial {}: metrics have no column {} (expected {} heads)",
          combination_name(combination), trial, column, heads);
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

std::string median_step(std::vector<int64_t> steps) {
  if (steps.empty()) return "-";
  std::sort(steps.begin(), steps.end());
  const size_t n = steps.size();
  const double median = n % 2 == 1 ? steps[n / 2] : 0.5 * (steps[n / 2 - 1] + steps[n / 2]);
  return fmt::format("{:g}", median);
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

std::string format_trial_heads(const std::vector<TrialHeads>& trials, double level) {
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
      const int64_t a = t.attending_at_end(level);
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
    for (size_t k = 0; k < t.final_acc.size(); ++k) {
      const bool good = static_cast<int64_t>(k) == t.good_slot;
      const char* source = t.combination == Combination::kRandom ? "random" : good ? "good" : "bad";
      out += fmt::format("{},{},{},{},{:.6f},{}\n", combination_name(t.combination), t.trial, k, source,
                         t.final_acc[k], t.step_attending[k]);
    }
  return out;
}

}  // namespace attn::tasks
