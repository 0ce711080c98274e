// The gated keyword toy's figure (the paper's Section 2 warm-up; model in
// attn/toy/gated_keyword.h): two panels, the whole run and a zoom on the
// early phase with p's axis rescaled, where "the betas move first, p after"
// can be read off. beta_0 and beta_1 on the left axis, p on the right; dashed
// lines mark the summary's times.
#pragma once

#include <filesystem>
#include <string>

#include "attn/toy/gated_keyword.h"

namespace attn::plot {

/// The gnuplot script over `csv` (t, beta0, beta1, p per line, a header first).
std::string toy_trajectory_script(const std::filesystem::path& csv, const std::filesystem::path& png,
                                  const std::string& title, const toy::TrajectorySummary& summary, double horizon,
                                  double beta_gap, double p_shift);

/// Renders it (script saved beside the PNG); false when gnuplot is missing or failed.
bool render_toy_trajectory(const std::filesystem::path& csv, const std::filesystem::path& png,
                           const std::string& title, const toy::TrajectorySummary& summary, double horizon,
                           double beta_gap, double p_shift);

}  // namespace attn::plot
