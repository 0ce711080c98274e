// The translation analysis's figures and page (see attn/plot/translation_figures.h).
#include "attn/plot/translation_figures.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "attn/plot/classification_figures.h"
#include "attn/plot/gnuplot.h"

namespace attn::plot {

namespace {

/// A source x target grid shaded per target row: by value / row max for
/// attention (orange), by the row's rank scale for log-probability and
/// gradient scores (their argmax is what the agreement compares), so each
/// row's darkest cell is its argmax.
std::string heat_map(const std::string& title, const TranslationSample& s, const std::vector<std::vector<float>>& map,
                     bool attention) {
  std::string out = fmt::format("<div class=\"map\"><div class=\"title\">{}</div><table><tr><th></th>", title);
  for (const auto& piece : s.source_pieces) out += fmt::format("<th class=\"src\">{}</th>", html_escape(piece));
  out += "</tr>\n";
  for (size_t t = 0; t < map.size() && t < s.target_pieces.size(); ++t) {
    const auto& row = map[t];
    float lo = INFINITY, hi = -INFINITY;
    size_t best = 0;
    for (size_t l = 0; l < row.size(); ++l) {
      if (!std::isfinite(row[l])) continue;
      lo = std::min(lo, row[l]);
      if (row[l] > hi) hi = row[l], best = l;
    }
    out += fmt::format("<tr><th>{}</th>", html_escape(s.target_pieces[t]));
    for (size_t l = 0; l < row.size(); ++l) {
      double shade = 0;
      if (std::isfinite(row[l]) && hi > lo) shade = attention ? row[l] / hi : (row[l] - lo) / (hi - lo);
      if (attention && hi <= 0) shade = 0;
      const char* rgb = attention ? "255,127,14" : "31,119,180";
      out += fmt::format("<td style=\"background:rgba({},{:.3f})\" title=\"{:.4g}\"{}></td>", rgb,
                         std::clamp(shade, 0.0, 1.0), row[l], l == best ? " class=\"best\"" : "");
    }
    out += "</tr>\n";
  }
  return out + "</table></div>\n";
}

}  // namespace

std::string translation_html(const TranslationPage& page) {
  std::string body;
  for (size_t i = 0; i < page.samples.size(); ++i) {
    const auto& s = page.samples[i];
    body += fmt::format("<h2>validation pair {}</h2>\n<p><b>source</b> {}<br><b>reference</b> {}<br>"
                        "<b>beam search (run A, step {})</b> {}</p>\n<div class=\"maps\">",
                        i, html_escape(s.source_text), html_escape(s.reference), page.gold_step,
                        html_escape(s.hypothesis));
    body += heat_map(fmt::format("alpha (run A, step {})", page.gold_step), s, s.alpha, true);
    body += heat_map(fmt::format("beta<sup>uf</sup> (uniform run, step {})", page.uniform_step), s, s.beta_uf, false);
    body += heat_map(fmt::format("Delta (run A, step {})", page.gold_step), s, s.delta, false);
    body += "</div>\n";
  }
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{0}: attention and probes</title>\n"
      "<style>body{{font-family:sans-serif;margin:2em;line-height:1.5}}.maps{{display:flex;flex-wrap:wrap;gap:2em}}"
      ".title{{font-weight:bold;margin-bottom:.3em}}table{{border-collapse:collapse;font-size:12px}}"
      "td{{width:18px;height:18px;border:1px solid #eee}}td.best{{outline:2px solid #333}}"
      "th{{font-weight:normal;text-align:right;padding-right:4px;white-space:nowrap}}"
      "th.src{{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;padding:2px}}"
      "h2{{font-size:1em;margin-top:2.5em}}</style></head><body>\n"
      "<h1>{0}: where attention goes and what the probes predict, per target piece</h1>\n"
      "<p>Rows: target pieces (after &lt;s&gt;); columns: source pieces. <b>alpha</b>: attention of the gold run A "
      "(orange, by weight / row max). <b>beta<sup>uf</sup></b>: log p(target piece) of the uniform-attention run "
      "if attention were one-hot on the column; <b>Delta</b>: d log p(target piece) / d gate of the source piece "
      "(blue, min to max of the row). The outlined cell is each row's argmax, what the top-p% match compares. "
      "Hover a cell for its value. A(alpha, beta<sup>uf</sup>) = {1:.3f}, A-hat = {2:.3f} on {3} validation pairs; "
      "run A's BLEU {4:.2f}.</p>\n{5}</body></html>\n",
      html_escape(page.name), page.agreement, page.a_hat, page.pairs, page.bleu, body);
}

bool render_translation_curves(const std::filesystem::path& output_png, const std::filesystem::path& bleu_csv,
                               const std::filesystem::path& curve_csv, const std::string& name,
                               const std::vector<std::string>& runs, const std::filesystem::path& lexicon_csv) {
  const bool lexicon = !lexicon_csv.empty();
  std::string s = output_png_header(output_png, 900, lexicon ? 1150 : 820);
  s += "set datafile separator ','\nset datafile columnheaders\nset grid\nset key outside right top\n";
  s += fmt::format("set multiplot layout {},1 title {}\n", lexicon ? 3 : 2,
                   quote(name + ": translation quality over training"));
  s += "set xlabel 'training step'\nset ylabel 'BLEU (beam search)'\n";
  std::vector<std::string> plots;
  const char* colors[] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  for (size_t r = 0; r < runs.size(); ++r)
    plots.push_back(fmt::format("{} using 1:{} with linespoints lw 2 pt 7 ps 0.5 lc rgb '{}' title {}",
                                data_file(output_png, bleu_csv), r + 2, colors[r % 6], quote("run " + runs[r])));
  s += fmt::format("plot {}\n", fmt::join(plots, ", \\\n     "));
  s += "set ylabel 'validation token accuracy'\nset y2label 'perplexity'\nset y2tics\nset logscale y2\n";
  s += fmt::format("plot {0} using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'run A accuracy', \\\n"
                   "     {0} using 1:4 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'uniform run accuracy', \\\n"
                   "     {0} using 1:3 axes x1y2 with linespoints lw 1 dt 2 pt 6 ps 0.5 lc rgb '#d62728' "
                   "title 'run A perplexity (right)'\n",
                   data_file(output_png, curve_csv));
  if (lexicon)
    s += fmt::format("unset y2tics\nunset y2label\nunset logscale y2\n"
                     "set ylabel 'dictionary source word ranked first'\nset yrange [0:1]\n"
                     "plot {0} using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'beta^uf', \\\n"
                     "     {0} using 1:3 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'beta (run B)', \\\n"
                     "     {0} using 1:4 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'alpha (run B)'\n",
                     data_file(output_png, lexicon_csv));
  s += "unset multiplot\n";
  return render_figure(output_png, s);
}

}  // namespace attn::plot
