// The gated keyword toy's trajectory figure (see attn/plot/toy_figures.h).
#include "attn/plot/toy_figures.h"

#include <fmt/format.h>

#include <algorithm>

#include "attn/plot/gnuplot.h"

namespace attn::plot {

namespace fs = std::filesystem;

std::string toy_trajectory_script(const fs::path& csv, const fs::path& png, const std::string& title,
                                  const toy::TrajectorySummary& summary, double horizon, double beta_gap,
                                  double p_shift) {
  struct Mark {
    double t;
    const char* colour;
    std::string text;
  };
  std::vector<Mark> marks;
  auto add = [&](const std::optional<double>& t, const char* colour, const std::string& text) {
    if (t) marks.push_back({*t, colour, fmt::format("{} (t = {:.2f})", text, *t)});
  };
  add(summary.t_betas_separate, "#1f77b4", fmt::format("beta0 - beta1 >= {}", beta_gap));
  add(summary.t_p_moves, "#d62728", fmt::format("|p - p(0)| >= {}", p_shift));
  add(summary.t_p_turns, "#9467bd", "p turns");
  add(summary.t_p_recovers, "#7f7f7f", "p back at p(0)");
  // Zoom far enough to see every stage: 2.5x the last threshold time, and
  // past the time p is back at its start.
  double zoom = horizon / 10.0;
  for (const auto& t : {summary.t_betas_separate, summary.t_p_moves, summary.t_p_turns})
    if (t) zoom = std::max(zoom, 2.5 * *t);
  if (summary.t_p_recovers) zoom = std::max(zoom, 1.2 * *summary.t_p_recovers);
  zoom = std::min(zoom, horizon);
  // Labels stacked from the top, on the side of their line with more room.
  auto marks_for = [&](double x_max) {
    std::string out = "unset arrow\nunset label\n";
    for (size_t i = 0; i < marks.size(); ++i) {
      const Mark& m = marks[i];
      const bool right_half = m.t > 0.55 * x_max;
      out += fmt::format(
          "set arrow from {0},graph 0 to {0},graph 1 back nohead dt 2 lw 1.5 lc rgb '{1}'\n"
          "set label {2} at {0},graph {3} {4} front boxed tc rgb '{1}'\n",
          m.t, m.colour, quote(m.text), 0.95 - 0.06 * static_cast<double>(i),
          right_half ? "right offset -0.5,0" : "left offset 0.5,0");
    }
    return out;
  };

  const std::string data = data_file(png, csv);
  const std::string plot = fmt::format(
      "plot {0} using 1:2 skip 1 with lines lw 2 lc rgb '#1f77b4' title 'beta0 (keyword)', \\\n"
      "     {0} using 1:3 skip 1 with lines lw 2 lc rgb '#2ca02c' title 'beta1 (filler)', \\\n"
      "     {0} using 1:4 skip 1 axes x1y2 with lines lw 2 lc rgb '#d62728' title 'p (right axis)'\n",
      data);
  std::string script = output_png_header(png, 1200, 500);
  script +=
      "set datafile separator ','\nset grid\nset key below horizontal\n"
      "set style textbox opaque noborder\n";
  script += fmt::format("set multiplot layout 1,2 title {}\n", quote(title));
  script += "set xlabel 'time t (gradient flow)'\nset ylabel 'per-token score beta'\n";
  script += "set y2label 'attention p on the keyword'\nset ytics nomirror\nset y2tics\n";
  script += "set offsets 0, 0, graph 0.05, graph 0.05\n";
  script += marks_for(horizon);
  script += fmt::format("set title 'whole run'\nset xrange [0:{}]\nset y2range [0:1]\n", horizon) + plot;
  script += marks_for(zoom);
  script += fmt::format("set title 'early phase (p axis rescaled)'\nset xrange [0:{}]\n", zoom);
  // A frozen p would give gnuplot an empty range to autoscale.
  script += summary.first_p_direction != 0 ? "set autoscale y2\n" : "set y2range [0:1]\n";
  script += plot + "unset multiplot\n";
  return script;
}

bool render_toy_trajectory(const fs::path& csv, const fs::path& png, const std::string& title,
                           const toy::TrajectorySummary& summary, double horizon, double beta_gap, double p_shift) {
  return render_figure(png, toy_trajectory_script(csv, png, title, summary, horizon, beta_gap, p_shift));
}

}  // namespace attn::plot
