// gnuplot runner (see attn/plot/gnuplot.h).
#include "attn/plot/gnuplot.h"

#include <cstdlib>

#include <fmt/format.h>

#include "attn/io/files.h"

namespace attn::plot {

bool gnuplot_available() {
  return std::system("command -v gnuplot >/dev/null 2>&1") == 0;
}

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "''";
    else out += c;
  }
  return out + "'";
}

std::string output_png_header(const std::filesystem::path& output_png, int width, int height) {
  return fmt::format("set terminal pngcairo size {},{} noenhanced font 'Sans,10'\nset output {}\n",
                     width, height, quote(output_png.string()));
}

bool render_figure(const std::filesystem::path& output_png, const std::string& script) {
  std::filesystem::path script_path = output_png;
  script_path.replace_extension(".gp");
  io::write_file_atomic(script_path, script);
  if (!gnuplot_available()) {
    fmt::print(stderr, "warning: gnuplot not found; wrote {} but no figure\n", script_path.string());
    return false;
  }
  const std::string command = fmt::format("gnuplot {} 2>&1", quote(script_path.string()));
  if (std::system(command.c_str()) != 0) {
    fmt::print(stderr, "warning: gnuplot failed on {}\n", script_path.string());
    return false;
  }
  return true;
}

}  // namespace attn::plot
