// Figures of the classification analysis (PAPER.md sections 3 and 4), drawn
// from plain data (the tasks side fills the inputs: tasks/classification_figure_data.h):
//  - the agreement curve: A(gold alpha, alpha_run(ckpt)) of every comparison
//    run and their mean c(ckpt) against training step, with the probes'
//    agreement levels A(X) and the shuffled baseline A-hat drawn as horizontal
//    lines (where c(ckpt) first crosses a line is the checkpoint behind xi(X));
//    a lower panel shows the validation accuracy perf(ckpt) and xi*;
//  - a self-contained HTML page (inline CSS, no scripts, no network) showing
//    sample test texts with each token shaded by alpha, beta^uf, beta^px and
//    Delta, one row per probe.
//
// Legend: N = test examples, L = longest test sequence (<bos>/<eos> included).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace attn::plot {

/// A horizontal line of the agreement figure: a probe pair's A(X).
struct AgreementLevel {
  std::string label;  ///< "A(alpha, beta^uf)"
  double agreement = 0;
};

/// What the agreement figure shows besides the curve CSV's columns.
struct AgreementFigure {
  std::string name;                          ///< experiment name (title)
  std::vector<std::string> comparison_runs;  ///< "B", "C", ...: the CSV's columns 2.. (then their mean)
  std::vector<AgreementLevel> levels;        ///< A(X) per probe pair, in table order
  double a_hat = 0;                          ///< shuffled baseline
  double xi_star = 0;                        ///< run A's best validation accuracy
};

/// Renders the agreement figure from `curve_csv` (columns: step, agreement
/// per comparison run, their mean, validation accuracy per run, its mean,
/// run A's). Returns false (with a warning) when gnuplot is missing or fails.
bool render_agreement_figure(const std::filesystem::path& output_png, const std::filesystem::path& curve_csv,
                             const AgreementFigure& figure);

/// One test text of the HTML page.
struct ProbePageText {
  int label = 0;                    ///< gold label
  std::vector<std::string> words;   ///< its words, <bos>/<eos> left out; word w is column w + 1 of the maps
};

/// What the HTML page shows: the test texts and the per-token maps over them.
struct ProbePage {
  std::string name;               ///< experiment name
  int64_t gold_step = 0;          ///< run A's snapshot giving alpha and Delta
  int64_t uniform_step = -1;      ///< the uniform run's snapshot giving beta^uf
  double agreement = 0;           ///< A(alpha, beta^uf)
  double a_hat = 0;               ///< its shuffled baseline
  int64_t test_examples = 0;
  std::vector<ProbePageText> texts;  ///< the test set, in order (N)
  torch::Tensor alpha, beta_uf, beta_px, delta;  ///< (N, L) each
  torch::Tensor gold_probability;                ///< (N) run A's P(y = 1)
};

/// The HTML page for `examples` test texts (alternating labels, preferring
/// texts of at most `max_tokens` words; longer ones are cut there).
std::string probe_html(const ProbePage& page, int64_t examples, int64_t max_tokens);

/// Escapes &, <, >, " and ' for HTML text and attributes.
std::string html_escape(const std::string& text);

}  // namespace attn::plot
