// Figures of the classification analysis (PAPER.md sections 3 and 4):
//  - the agreement curve: A(gold alpha, alpha_run(ckpt)) of every comparison
//    run and their mean c(ckpt) against training step, with the probes'
//    agreement levels A(X) and the shuffled baseline A-hat drawn as horizontal
//    lines (where c(ckpt) first crosses a line is the checkpoint behind xi(X));
//    a lower panel shows the validation accuracy perf(ckpt) and xi*;
//  - a self-contained HTML page (inline CSS, no scripts, no network) showing
//    sample test texts with each token shaded by alpha, beta^uf, beta^px and
//    Delta, one row per probe.
#pragma once

#include <filesystem>
#include <string>

#include "attn/tasks/classification_analysis.h"

namespace attn::plot {

/// Renders the agreement figure from `curve_csv` (agreement_curve_csv()).
/// Returns false (with a warning) when gnuplot is missing or fails.
bool render_agreement_figure(const std::filesystem::path& output_png, const std::filesystem::path& curve_csv,
                             const tasks::ClassificationAnalysis& analysis);

/// The HTML page for `examples` test texts (alternating labels, preferring
/// texts of at most `max_tokens` words; longer ones are cut there).
std::string probe_html(const tasks::ClassificationAnalysis& analysis, const tasks::ClassificationData& data,
                       int64_t examples, int64_t max_tokens);

/// Escapes &, <, >, " and ' for HTML text and attributes.
std::string html_escape(const std::string& text);

}  // namespace attn::plot
