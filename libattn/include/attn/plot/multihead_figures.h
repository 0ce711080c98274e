// Figures of the multi-head experiment (paper Section 5.2, PAPER.md 5
// "multihead"): the learning curves of the three head combinations (every
// trial faint, the mean bold, the 25-75% quantile band shaded), and every
// head's attention accuracy over training in a few bad+good trials, the good
// head drawn apart from the bad ones. The data behind each figure is written
// as CSV next to it, with the gnuplot script.
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

}  // namespace attn::plot
