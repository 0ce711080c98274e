// Copy-experiment learning curves (see attn/plot/copy_figures.h).
#include "attn/plot/copy_figures.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "attn/io/files.h"
#include "attn/plot/gnuplot.h"

namespace attn::plot {

namespace {
// Column of `name` (1-based, as gnuplot counts) in a metrics.csv header.
int column_of(const std::filesystem::path& csv, const std::string& name) {
  const std::string text = io::read_text_file(csv);
  const std::string header = text.substr(0, text.find('\n'));
  int column = 1;
  size_t start = 0;
  while (true) {
    const size_t end = header.find(',', start);
    if (header.substr(start, end - start) == name) return column;
    if (end == std::string::npos) return -1;
    start = end + 1;
    ++column;
  }
}
}  // namespace

bool render_copy_learning_curves(const std::filesystem::path& output_png, const std::vector<CurveSet>& columns) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"token_acc", "token accuracy"}, {"attention_acc", "attention accuracy"}, {"ktiw_acc", "KTIW accuracy"}};
  const int width = 520 * static_cast<int>(std::max<size_t>(1, columns.size()));
  std::string script = output_png_header(output_png, width, 900);
  script += "set datafile separator ','\nset datafile columnheaders\nset key off\nset yrange [0:1.02]\nset grid\n";
  script += fmt::format("set multiplot layout {},{} columnsfirst title 'copy task: learning curves per seed'\n",
                        rows.size(), columns.size());
  for (const auto& column : columns) {
    for (size_t r = 0; r < rows.size(); ++r) {
      const auto& [metric, label] = rows[r];
      script += fmt::format("set title {}\nset xlabel 'step'\nset ylabel {}\n",
                            quote(fmt::format("{}: {}", column.title, label)), quote(label));
      std::vector<std::string> plots;
      for (size_t i = 0; i < column.metric_files.size(); ++i) {
        const auto& file = column.metric_files[i];
        const int x = column_of(file, "step"), y = column_of(file, metric);
        if (x < 0 || y < 0) continue;
        plots.push_back(fmt::format("{} using {}:{} with lines lw 1.2 lc {}", data_file(output_png, file), x, y,
                                    i % 8 + 1));
      }
      if (plots.empty()) plots.push_back("NaN notitle");
      script += fmt::format("plot {}\n", fmt::join(plots, ", \\\n     "));
    }
  }
  script += "unset multiplot\n";
  return render_figure(output_png, script);
}

}  // namespace attn::plot
