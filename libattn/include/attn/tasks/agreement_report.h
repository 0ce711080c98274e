// The agreement table of a classification analysis as text (PAPER.md
// section 4): Markdown with a legend line, CSV, and the per-checkpoint curve
// CSV the figure is drawn from.
#pragma once

#include <string>

#include <filesystem>

#include "attn/tasks/classification_analysis.h"
#include "attn/tasks/classification_data.h"

namespace attn::tasks {

/// "top-5%", "top-2.5%", "top-10%": the statistic's name for p = `percent`
/// (shortest form, {:g}).
std::string top_percent_label(double percent);

/// The table as Markdown (with a legend) and as CSV.
std::string agreement_markdown(const ClassificationAnalysis& analysis);
std::string agreement_csv(const ClassificationAnalysis& analysis);
/// step, A(gold alpha, alpha_B), ..., mean, perf per run, mean perf, A(alpha, beta^uf(ckpt)).
std::string agreement_curve_csv(const ClassificationAnalysis& analysis);

/// Writes an analysis into `out_dir`: agreement.md, agreement.csv,
/// agreement_curve.csv, probes.html and agreement.png (+ its gnuplot script);
/// prints the table and where the figure and page went.
void write_agreement_report(const ClassificationConfig& config, const ClassificationData& data,
                            const ClassificationAnalysis& analysis, const std::filesystem::path& out_dir);

}  // namespace attn::tasks
