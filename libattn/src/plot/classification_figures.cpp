// Agreement figure and probe HTML page (see attn/plot/classification_figures.h).
#include "attn/plot/classification_figures.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "attn/plot/gnuplot.h"

namespace attn::plot {

bool render_agreement_figure(const std::filesystem::path& output_png, const std::filesystem::path& curve_csv,
                             const AgreementFigure& a) {
  const size_t runs = a.comparison_runs.size();
  std::string s = output_png_header(output_png, 900, 820);
  s += "set datafile separator ','\nset datafile columnheaders\nset grid\nset key outside right top\n";
  s += fmt::format("set multiplot layout 2,1 title {}\n",
                   quote(fmt::format("{}: agreement of normally trained attention with the gold attention", a.name)));
  s += "set ylabel 'A(gold alpha, alpha_run(ckpt))'\nset xlabel 'training step'\nset yrange [0:1.02]\n";
  std::vector<std::string> plots;
  for (size_t r = 0; r < runs; ++r)
    plots.push_back(fmt::format("{} using 1:{} with linespoints lw 1 pt 7 ps 0.4 lc rgb '#999999' title {}",
                                data_file(output_png, curve_csv), r + 2, quote("run " + a.comparison_runs[r])));
  plots.push_back(fmt::format("{} using 1:{} with linespoints lw 3 pt 7 ps 0.6 lc rgb 'black' title 'mean c(ckpt)'",
                              data_file(output_png, curve_csv), runs + 2));
  const char* colors[] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  for (size_t i = 0; i < a.levels.size(); ++i)
    plots.push_back(fmt::format("{:.6f} with lines dt 2 lw 2 lc rgb '{}' title {}", a.levels[i].agreement,
                                colors[i % 6],
                                quote(fmt::format("{} = {:.3f}", a.levels[i].label, a.levels[i].agreement))));
  plots.push_back(fmt::format("{:.6f} with lines dt 3 lw 2 lc rgb '#7f7f7f' title {}", a.a_hat,
                              quote(fmt::format("A-hat = {:.3f}", a.a_hat))));
  s += fmt::format("plot {}\n", fmt::join(plots, ", \\\n     "));
  s += "set ylabel 'validation accuracy'\nset yrange [*:*]\n";
  s += fmt::format("plot {} using 1:{} with linespoints lw 3 pt 7 ps 0.6 lc rgb 'black' title 'comparison runs (mean)', \\\n"
                   "     {} using 1:{} with linespoints lw 1 pt 7 ps 0.4 lc rgb '#d62728' title 'run A (gold)', \\\n"
                   "     {:.6f} with lines dt 2 lc rgb '#d62728' title {}\n",
                   data_file(output_png, curve_csv), 2 * runs + 3, data_file(output_png, curve_csv), 2 * runs + 4, a.xi_star,
                   quote(fmt::format("xi* = {:.3f}", a.xi_star)));
  s += "unset multiplot\n";
  return render_figure(output_png, s);
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// One row of shaded tokens: non-negative maps shade orange by value / max,
// signed maps red (supports the gold label) or blue (against it) by |value| / max|value|.
std::string shaded_row(const std::string& label, const std::vector<std::string>& tokens,
                       const std::vector<double>& values, bool is_signed) {
  double scale = 0;
  for (double v : values) scale = std::max(scale, std::abs(v));
  if (scale == 0) scale = 1;
  std::string spans;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const double v = values[i], strength = std::min(1.0, std::abs(v) / scale);
    const char* rgb = !is_signed ? "255,140,0" : (v >= 0 ? "214,39,40" : "31,119,180");
    spans += fmt::format("<span title=\"{:.4g}\" style=\"background:rgba({},{:.3f})\">{}</span> ", v, rgb, strength,
                         html_escape(tokens[i]));
  }
  return fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", label, spans);
}

std::vector<double> row_values(const torch::Tensor& map, int64_t i, const std::vector<int64_t>& positions) {
  auto r = map[i].to(torch::kFloat64).contiguous();
  std::vector<double> out;
  for (int64_t p : positions) out.push_back(r[p].item<double>());
  return out;
}

}  // namespace

std::string probe_html(const ProbePage& a, int64_t examples, int64_t max_tokens) {
  // Pick texts: alternate labels (1 first), short ones first in test order.
  std::vector<int64_t> chosen;
  for (int pass = 0; pass < 2 && static_cast<int64_t>(chosen.size()) < examples; ++pass) {
    for (int64_t i = 0; i < static_cast<int64_t>(a.texts.size()) && static_cast<int64_t>(chosen.size()) < examples; ++i) {
      if (std::find(chosen.begin(), chosen.end(), i) != chosen.end()) continue;
      const auto& e = a.texts[static_cast<size_t>(i)];
      const int want = chosen.size() % 2 == 0 ? 1 : 0;
      const int64_t words = static_cast<int64_t>(e.words.size());
      if (pass == 0 && (e.label != want || words > max_tokens || words < 5)) continue;
      chosen.push_back(i);
    }
  }
  std::string body;
  for (int64_t i : chosen) {
    const auto& e = a.texts[static_cast<size_t>(i)];
    std::vector<int64_t> positions;  // columns of the maps: word w is at w + 1, after <bos>
    std::vector<std::string> tokens;
    for (size_t w = 0; w < e.words.size() && static_cast<int64_t>(positions.size()) < max_tokens; ++w) {
      positions.push_back(static_cast<int64_t>(w) + 1);
      tokens.push_back(e.words[w]);
    }
    const bool cut = static_cast<int64_t>(e.words.size()) > max_tokens;
    body += fmt::format("<h2>test example {} &middot; gold label {} &middot; run A: P(y=1) = {:.3f}{}</h2>\n<table>\n",
                        i, e.label, a.gold_probability[i].item<double>(),
                        cut ? fmt::format(" &middot; first {} of {} words", max_tokens, e.words.size()) : "");
    body += shaded_row("alpha (run A, gold)", tokens, row_values(a.alpha, i, positions), false);
    body += shaded_row("beta<sup>uf</sup> (uniform run)", tokens, row_values(a.beta_uf, i, positions), true);
    body += shaded_row("beta<sup>px</sup> (bag of words)", tokens, row_values(a.beta_px, i, positions), true);
    body += shaded_row("Delta (run A, gradient)", tokens, row_values(a.delta, i, positions), true);
    body += "</table>\n";
  }
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{0}: attention and probes</title>\n"
      "<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;line-height:1.6}}"
      "table{{border-collapse:collapse;margin-bottom:1.5em}}th{{text-align:left;vertical-align:top;width:13em;"
      "padding:4px;font-weight:normal;color:#444}}td{{padding:4px;border-bottom:1px solid #ddd}}"
      "span{{padding:1px 2px;border-radius:3px}}h2{{font-size:1em;margin-top:2em}}</style></head><body>\n"
      "<h1>{0}: where attention goes and what the probes predict</h1>\n"
      "<p>Each row shades the same test text. <b>alpha</b>: attention of the gold run A at step {1} "
      "(orange, by weight / max). <b>beta<sup>uf</sup></b>: KTIW score of the uniform-attention run at step {2}; "
      "<b>beta<sup>px</sup></b>: bag-of-embeddings word score; <b>Delta</b>: d log p(gold) / d gate of run A. "
      "Signed rows are red where the token supports the gold label, blue where it opposes it "
      "(by |value| / max |value| in the row). Hover a token for its value. "
      "A(alpha, beta<sup>uf</sup>) = {3:.3f}, A-hat = {4:.3f} on {5} test examples.</p>\n{6}</body></html>\n",
      html_escape(a.name), a.gold_step, a.uniform_step, a.agreement, a.a_hat, a.test_examples, body);
}

}  // namespace attn::plot
