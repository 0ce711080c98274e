// Multi-head experiment figures (see attn/plot/multihead_figures.h).
#include "attn/plot/multihead_figures.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "attn/io/files.h"
#include "attn/plot/gnuplot.h"

namespace attn::plot {

namespace fs = std::filesystem;

namespace {

const char* kColors[] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd"};

// Linear-interpolated quantile of sorted values, q in [0, 1].
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::nan("");
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// "bad+good" -> "bad_good": a file-name-safe label.
std::string file_label(const std::string& name) {
  std::string out = name;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return out;
}

fs::path data_path(const fs::path& output_png, const std::string& label) {
  fs::path p = output_png;
  p.replace_extension();
  return p.string() + "_" + label + ".csv";
}

// step,mean,q25,q75,trial_0,.. for one combination; returns the column count.
size_t write_curve_data(const fs::path& path, const CombinationCurves& c) {
  size_t rows = c.histories.empty() ? 0 : c.histories.front().size();
  for (const auto& h : c.histories) rows = std::min(rows, h.size());
  std::string out = "step,mean,q25,q75";
  for (size_t i = 0; i < c.histories.size(); ++i) out += fmt::format(",trial_{}", i);
  out += "\n";
  for (size_t r = 0; r < rows; ++r) {
    std::vector<double> values;
    double sum = 0;
    for (const auto& h : c.histories) {
      values.push_back(h[r].get("token_acc"));
      sum += values.back();
    }
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    out += fmt::format("{},{:.5f},{:.5f},{:.5f}", c.histories.front()[r].get("step"), sum / values.size(),
                       quantile(sorted, 0.25), quantile(sorted, 0.75));
    for (double v : values) out += fmt::format(",{:.5f}", v);
    out += "\n";
  }
  io::write_file_atomic(path, out);
  return 4 + c.histories.size();
}

}  // namespace

bool render_combination_curves(const fs::path& output_png, const std::vector<CombinationCurves>& curves,
                               double threshold) {
  const int panels = static_cast<int>(curves.size()) + 1;
  std::string script = output_png_header(output_png, 430 * panels, 430);
  script += "set datafile separator ','\nset datafile columnheaders\nset yrange [0:1.02]\nset grid\n"
            "set xlabel 'step'\nset ylabel 'token accuracy'\nset key bottom right\n";
  script += fmt::format("set multiplot layout 1,{} title 'multi-head copy: token accuracy per trial, mean and "
                        "25-75% band'\n", panels);
  std::vector<std::string> overlay;
  for (size_t i = 0; i < curves.size(); ++i) {
    const auto& c = curves[i];
    const fs::path data = data_path(output_png, file_label(c.name));
    const size_t columns = write_curve_data(data, c);
    const std::string color = kColors[i % 4], file = data_file(output_png, data);
    script += fmt::format("set title {}\n", quote(fmt::format("{} ({} trials)", c.name, c.histories.size())));
    script += fmt::format(
        "plot for [k=5:{}] {} using 1:k with lines lc rgb '#c8c8c8' lw 0.7 notitle, \\\n"
        "     {} using 1:3:4 with filledcurves lc rgb '{}' fs transparent solid 0.25 noborder title '25-75%', \\\n"
        "     {} using 1:2 with lines lc rgb '{}' lw 2.5 title 'mean', \\\n"
        "     {} with lines dt 2 lc rgb 'black' notitle\n",
        columns, file, file, color, file, color, threshold);
    overlay.push_back(fmt::format("{} using 1:3:4 with filledcurves lc rgb '{}' fs transparent solid 0.15 noborder "
                                  "notitle, {} using 1:2 with lines lc rgb '{}' lw 2.5 title {}",
                                  file, color, file, color, quote(c.name)));
  }
  script += "set title 'means'\n";
  script += fmt::format("plot {}, \\\n     {} with lines dt 2 lc rgb 'black' notitle\n",
                        fmt::join(overlay, ", \\\n     "), threshold);
  script += "unset multiplot\n";
  return render_figure(output_png, script);
}

bool render_head_accuracy(const fs::path& output_png, const std::vector<HeadAccuracyPanel>& panels) {
  const int columns = std::min<int>(2, std::max<int>(1, static_cast<int>(panels.size())));
  const int rows = (static_cast<int>(panels.size()) + columns - 1) / columns;
  std::string script = output_png_header(output_png, 560 * columns, 380 * std::max(1, rows));
  script += "set datafile separator ','\nset datafile columnheaders\nset yrange [0:1.02]\nset grid\n"
            "set xlabel 'step'\nset ylabel 'accuracy'\nset key top left\n";
  // Two title lines: one line is wider than a single panel (a report early in the trials).
  script += fmt::format("set multiplot layout {},{} title \"attention accuracy of every head\\n(good head red, bad "
                        "heads grey; token accuracy dashed)\"\n", std::max(1, rows), columns);
  for (size_t p = 0; p < panels.size(); ++p) {
    const auto& panel = panels[p];
    int64_t heads = 0;
    while (!panel.history.empty() && panel.history.front().has(fmt::format("head{}_attention_acc", heads))) ++heads;
    std::string out = "step,token_acc";
    for (int64_t k = 0; k < heads; ++k) out += fmt::format(",head{}", k);
    out += "\n";
    for (const auto& row : panel.history) {
      out += fmt::format("{},{:.5f}", row.get("step"), row.get("token_acc"));
      for (int64_t k = 0; k < heads; ++k) out += fmt::format(",{:.5f}", row.get(fmt::format("head{}_attention_acc", k)));
      out += "\n";
    }
    const fs::path data = data_path(output_png, fmt::format("panel{}", p));
    io::write_file_atomic(data, out);
    const std::string file = data_file(output_png, data);
    std::vector<std::string> plots;
    bool bad_titled = false;
    for (int64_t k = 0; k < heads; ++k) {
      if (k == panel.good_slot) continue;
      plots.push_back(fmt::format("{} using 1:{} with lines lc rgb '#8c8c8c' lw 1 {}", file, k + 3,
                                  bad_titled ? "notitle" : "title 'bad heads'"));
      bad_titled = true;
    }
    if (panel.good_slot >= 0 && panel.good_slot < heads)
      plots.push_back(fmt::format("{} using 1:{} with lines lc rgb '#d62728' lw 2.5 title 'good head'", file,
                                  panel.good_slot + 3));
    plots.push_back(fmt::format("{} using 1:2 with lines dt 2 lc rgb 'black' lw 1.5 title 'token acc'", file));
    script += fmt::format("set title {}\nplot {}\n", quote(panel.title), fmt::join(plots, ", \\\n     "));
  }
  script += "unset multiplot\n";
  return render_figure(output_png, script);
}

bool render_screening(const fs::path& output_png, const std::vector<ScreenedDraw>& draws, double good_threshold,
                      double bad_threshold, int64_t good_quota, int64_t bad_quota) {
  std::vector<ScreenedDraw> sorted = draws;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.draw < b.draw; });
  std::string out = "draw,class,first_final_acc,good_found,bad_found\n";
  int64_t good = 0, bad = 0, discarded = 0, unverified = 0;
  for (const auto& d : sorted) {
    good += d.head_class == "good";
    bad += d.head_class == "bad";
    discarded += d.head_class == "discarded";
    unverified += d.head_class == "unverified";
    out += fmt::format("{},{},{:.6f},{},{}\n", d.draw, d.head_class, d.first_final_acc, good, bad);
  }
  fs::path data = output_png;
  data.replace_extension(".csv");
  io::write_file_atomic(data, out);
  const std::string file = data_file(output_png, data);
  std::string script = output_png_header(output_png, 1100, 430);
  script += "set datafile separator ','\nset datafile columnheaders\nset grid\nset xlabel 'draw'\n";
  script += fmt::format("set multiplot layout 1,2 title {}\n",
                        quote(fmt::format("head screening: {} draws, {} good, {} bad, {} discarded, {} unverified",
                                          sorted.size(), good, bad, discarded, unverified)));
  // One colour per class, the same order as the legend.
  script += "classes = 'good bad discarded unverified'\ncolors = '#d62728 #1f77b4 #8c8c8c #ff7f0e'\n";
  script += "set title 'first data seed: token accuracy at the end of the run'\nset ylabel 'token accuracy'\n"
            "set yrange [0:1.02]\nset key below horizontal\n";
  script += fmt::format(
      "plot for [i=1:4] {} using 1:(strcol(2) eq word(classes, i) ? $3 : NaN) with points pt 7 ps 0.6 "
      "lc rgb word(colors, i) title word(classes, i), \\\n"
      "     {} with lines dt 2 lc rgb 'black' title 'good threshold', \\\n"
      "     {} with lines dt 3 lc rgb 'black' title 'bad threshold'\n",
      file, good_threshold, bad_threshold);
  script += fmt::format("set title 'heads found against draws screened (quotas dashed)'\nset ylabel 'heads'\n"
                        "set yrange [0:{}]\nset key below horizontal\n",
                        static_cast<double>(std::max({good_quota, bad_quota, good, bad, int64_t{1}})) * 1.15);
  script += fmt::format(
      "plot {} using 1:4 with steps lw 2 lc rgb '#d62728' title 'good', \\\n"
      "     {} using 1:5 with steps lw 2 lc rgb '#1f77b4' title 'bad', \\\n"
      "     {} with lines dt 2 lc rgb '#d62728' notitle, {} with lines dt 2 lc rgb '#1f77b4' notitle\n",
      file, file, good_quota, bad_quota);
  script += "unset multiplot\n";
  return render_figure(output_png, script);
}

}  // namespace attn::plot
