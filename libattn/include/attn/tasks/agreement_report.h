// The agreement table of a classification analysis as text (PAPER.md
// section 4): Markdown with a legend line, CSV, and the per-checkpoint curve
// CSV the figure is drawn from.
#pragma once

#include <string>

#include "attn/tasks/classification_analysis.h"

namespace attn::tasks {

/// "top-5%", "top-2.5%", "top-10%": the statistic's name for p = `percent`
/// (shortest form, {:g}).
std::string top_percent_label(double percent);

/// The table as Markdown (with a legend) and as CSV.
std::string agreement_markdown(const ClassificationAnalysis& analysis);
std::string agreement_csv(const ClassificationAnalysis& analysis);
/// step, A(gold alpha, alpha_B), ..., mean, perf per run, mean perf, A(alpha, beta^uf(ckpt)).
std::string agreement_curve_csv(const ClassificationAnalysis& analysis);

}  // namespace attn::tasks
