// Figures of the multi-head experiment (paper Section 5.2, PAPER.md 5
// "multihead"): the learning curves of the three head combinations (every
// trial faint, the mean bold, the 25-75% quantile band shaded), and every
// head's attention accuracy over training in a few bad+good trials, the good
// head drawn apart from the bad ones; and the head screening (each draw's
// accuracy and class, heads found against draws). The data behind each
// figure is written as CSV next to it, with the gnuplot script.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "attn/train/metric_row.h"

namespace attn::plot {

struct CombinationCurves {
  std::string name;                                     ///< "bad", "bad+good", "random"
  std::vector<std::vector<train::MetricRow>> histories; ///< one per trial, same steps
};

/// Token accuracy against step, one panel per combination plus one with the
/// three means overlaid; `threshold` is drawn as a dashed line. Returns false
/// when gnuplot is missing or failed (the CSV data stay).
bool render_combination_curves(const std::filesystem::path& output_png, const std::vector<CombinationCurves>& curves,
                               double threshold);

struct HeadAccuracyPanel {
  std::string title;
  std::vector<train::MetricRow> history;  ///< with head<k>_attention_acc for every head
  int64_t good_slot = -1;                 ///< the head to draw apart (-1 none)
};

/// Per-head attention accuracy against step, one panel per trial, with the
/// model's token accuracy dashed.
bool render_head_accuracy(const std::filesystem::path& output_png, const std::vector<HeadAccuracyPanel>& panels);

/// One screened draw, as the screening figure shows it.
struct ScreenedDraw {
  int64_t draw = 0;
  std::string head_class;        ///< "good", "bad", "discarded", "unverified"
  double first_final_acc = 0;    ///< token accuracy at the end of the first data seed's run
};

/// Head screening at a glance: left, every draw's first-seed final token
/// accuracy against its index, one colour per class, with the good and bad
/// thresholds dashed; right, good and bad heads found against draws screened,
/// with the quotas dashed (how rare each class is). The data go to
/// `<output stem>.csv` (draw, class, acc, good and bad found so far).
bool render_screening(const std::filesystem::path& output_png, const std::vector<ScreenedDraw>& draws,
                      double good_threshold, double bad_threshold, int64_t good_quota, int64_t bad_quota);

}  // namespace attn::plot
