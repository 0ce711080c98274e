// Figures of the copy experiment: learning curves of token, attention and
// KTIW accuracy per seed (rows), one column per configuration, so the easy
// and hard distributions sit side by side.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace attn::plot {

struct CurveSet {
  std::string title;                               ///< column title (config name)
  std::vector<std::filesystem::path> metric_files; ///< one metrics.csv per seed
};

/// Renders `output_png` (and its .gp script). Returns false if gnuplot is
/// missing or failed (the data stay in the run folder).
bool render_copy_learning_curves(const std::filesystem::path& output_png, const std::vector<CurveSet>& columns);

}  // namespace attn::plot
