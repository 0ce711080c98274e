// The multi-head experiment's config (see attn/tasks/multihead_config.h).
#include "attn/tasks/multihead_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "attn/core/error.h"

namespace attn::tasks {

namespace fs = std::filesystem;

std::string combination_name(Combination combination) {
  switch (combination) {
    case Combination::kBad: return "bad";
    case Combination::kBadPlusGood: return "bad+good";
    case Combination::kRandom: return "random";
  }
  return "?";
}

namespace {

ScreeningOptions read_screening(const io::ConfigNode& node) {
  ScreeningOptions s;
  s.good = node.get_int("good", s.good);
  s.bad = node.get_int("bad", s.bad);
  s.max_draws = node.get_int("max_draws", s.max_draws);
  s.head_seed = node.get_int("head_seed", s.head_seed);
  s.data_seeds = node.get_int_list("data_seeds", s.data_seeds);
  s.good_threshold = node.get_double("good_threshold", s.good_threshold);
  s.bad_threshold = node.get_double("bad_threshold", s.bad_threshold);
  node.require(s.good >= 0, "good", "expected a non-negative number of heads");
  node.require(s.bad >= 0, "bad", "expected a non-negative number of heads");
  // Screening that keeps no head never finishes its quota check in a useful way
  // (the experiment would stop at once and ask for a --resume that cannot help).
  node.require(s.good + s.bad >= 1, "good",
               fmt::format("expected screening to keep at least one head (good + bad >= 1), got good {} and bad {}",
                           s.good, s.bad));
  node.require(s.max_draws >= 1, "max_draws", "expected at least 1 draw");
  node.require(s.head_seed >= 0, "head_seed", "expected a non-negative seed");
  node.require(!s.data_seeds.empty(), "data_seeds", "expected at least one data seed");
  const std::set<int64_t> distinct(s.data_seeds.begin(), s.data_seeds.end());
  node.require(distinct.size() == s.data_seeds.size() && *distinct.begin() >= 0, "data_seeds",
               "expected distinct non-negative seeds");
  node.require(s.good_threshold > 0 && s.good_threshold < 1, "good_threshold", "expected a value in (0, 1)");
  node.require(s.bad_threshold > 0 && s.bad_threshold <= s.good_threshold, "bad_threshold",
               "expected a value in (0, good_threshold]");
  return s;
}

TrialOptions read_trials(const io::ConfigNode& node, const ScreeningOptions& screening) {
  TrialOptions t;
  t.count = node.get_int("count", t.count);
  t.heads = node.get_int("heads", t.heads);
  t.first_data_seed = node.get_int("first_data_seed", t.first_data_seed);
  t.selection_seed = node.get_int("selection_seed", t.selection_seed);
  std::vector<std::string> names;
  for (auto c : t.combinations) names.push_back(combination_name(c));
  names = node.get_string_list("combinations", names);
  node.require(t.count >= 0, "count", "expected a non-negative number of trials");
  node.require(t.heads >= 2, "heads", "expected at least 2 heads per model");
  node.require(t.first_data_seed >= 0, "first_data_seed", "expected a non-negative seed");
  node.require(t.selection_seed >= 0, "selection_seed", "expected a non-negative seed");
  node.require(!names.empty(), "combinations", "expected at least one of bad, bad+good, random");
  t.combinations.clear();
  for (const auto& name : names) {
    Combination c = Combination::kBad;
    if (name == "bad") c = Combination::kBad;
    else if (name == "bad+good") c = Combination::kBadPlusGood;
    else if (name == "random") c = Combination::kRandom;
    else node.fail("combinations", fmt::format("expected bad, bad+good or random, got '{}'", name));
    node.require(std::find(t.combinations.begin(), t.combinations.end(), c) == t.combinations.end(),
                 "combinations", fmt::format("'{}' listed twice", name));
    t.combinations.push_back(c);
  }
  // A combination draws distinct kept heads: there must be enough of them.
  for (auto c : t.combinations) {
    const int64_t bad_needed = c == Combination::kBad ? t.heads : c == Combination::kBadPlusGood ? t.heads - 1 : 0;
    node.require(bad_needed <= screening.bad, "heads",
                 fmt::format("'{}' needs {} distinct bad heads but screening.bad is {}", combination_name(c),
                             bad_needed, screening.bad));
    node.require(c != Combination::kBadPlusGood || screening.good >= 1, "combinations",
                 "'bad+good' needs screening.good >= 1");
  }
  return t;
}

}  // namespace

CopyExperimentConfig MultiheadExperimentConfig::with_heads(int64_t heads) const {
  CopyExperimentConfig c = copy;
  c.model.heads(heads);
  return c;
}

MultiheadExperimentConfig parse_multihead_experiment(const io::ConfigNode& root) {
  MultiheadExperimentConfig c;
  c.base_seed = root.get_int("base_seed", c.base_seed);
  root.require(c.base_seed >= 0, "base_seed", "expected a non-negative seed");
  c.screening = read_screening(root.child("screening"));
  c.trials = read_trials(root.child("trials"), c.screening);
  c.copy = parse_copy_experiment(root);  // reads the rest and rejects unknown keys anywhere
  // Keys of the copy config that this experiment decides itself. They may
  // only hold their defaults, which the resolved config.yaml spells out.
  const char* decided = "is decided by the multi-head experiment (screening.data_seeds, trials): leave it out";
  root.require(!c.copy.stage1_data, "stage1_data", decided);
  root.require(c.copy.seeds == 1, "seeds", decided);
  root.require(c.copy.first_seed == 0, "first_seed", decided);
  root.child("model").require(c.copy.model.heads() == 1, "heads",
                              "is decided by the experiment (1 while screening, trials.heads in the trials): leave it out");
  root.child("model").require(c.copy.model.architecture() == nn::Architecture::kMultiheadGru, "architecture",
                              "the multi-head experiment needs multihead_gru (PAPER.md 2.4)");
  root.child("train").require(!c.copy.fresh_eval, "eval_set",
                              "the multi-head experiment evaluates on one fixed set: use eval_set: fixed");
  c.resolved_yaml = c.copy.resolved_yaml;
  return c;
}

MultiheadExperimentConfig load_multihead_experiment(const fs::path& path) {
  return parse_multihead_experiment(io::ConfigNode::load_file(path));
}

}  // namespace attn::tasks
