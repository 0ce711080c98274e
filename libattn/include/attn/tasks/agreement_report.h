// The agreement table of a classification analysis as text (PAPER.md
// section 4): Markdown with a legend line, CSV, and the per-checkpoint curve
// CSV the figure is drawn from.
#pragma once

#include <string>

#include <filesystem>

#include "attn/tasks/agreement_table.h"
#include "attn/tasks/classification_analysis.h"
#include "attn/tasks/classification_data.h"

namespace attn::tasks {

/// "top-5%", "top-2.5%", "top-10%": the statistic's name for p = `percent`
/// (shortest form, {:g}).
std::string top_percent_label(double percent);

/// The table as Markdown (without a footer) and as CSV, for either analysis.
std::string agreement_markdown(const AgreementTable& table);
std::string agreement_csv(const AgreementTable& table);
/// step, A(gold alpha, alpha_B), ..., mean, perf per run, mean perf, run A's
/// perf, A(alpha, beta^uf(ckpt)).
std::string agreement_curve_csv(const AgreementTable& table);

/// A classification analysis's table with its footer (test examples, gold
/// step, comparison runs, beta^px and beta^logistic fits).
std::string agreement_markdown(const ClassificationAnalysis& analysis);

/// Writes agreement.md ("# <name>: agreement table", the table, `footer`),
/// agreement.csv, agreement_curve.csv and agreement.png (+ its gnuplot
/// script) into `out_dir` and prints the table: what both analyses share.
void write_agreement_tables(const AgreementTable& table, const std::string& footer,
                            const std::filesystem::path& out_dir);

/// Writes an analysis into `out_dir`: agreement.md, agreement.csv,
/// agreement_curve.csv, probes.html and agreement.png (+ its gnuplot script);
/// prints the table and where the figure and page went.
void write_agreement_report(const ClassificationConfig& config, const ClassificationData& data,
                            const ClassificationAnalysis& analysis, const std::filesystem::path& out_dir);

}  // namespace attn::tasks
