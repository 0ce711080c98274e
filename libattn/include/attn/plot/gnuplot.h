// Renders figures with gnuplot: the caller writes the data files (CSV) and a
// gnuplot script; render_figure() saves the script next to the figure, so a
// reader can restyle it, and runs gnuplot to make the PNG. gnuplot is started
// without a shell (any character in a path is safe), and a saved script names
// its files relative to its own folder and goes there first, so
// `gnuplot some/where/figure.gp` works from any folder, and after the run
// folder is moved.
#pragma once

#include <filesystem>
#include <string>

namespace attn::plot {

/// True when a `gnuplot` executable is on PATH.
bool gnuplot_available();

/// Writes `script` to `<output without extension>.gp` and runs gnuplot on it.
/// The script should `set output` itself (use output_png_header()). Returns
/// false (after printing a one-line warning) when gnuplot is missing or fails:
/// a missing plotter never loses the run's results.
bool render_figure(const std::filesystem::path& output_png, const std::string& script);

/// "set terminal pngcairo size W,H ...; set output '<file name>'" for a script
/// (the figure is written next to its script).
std::string output_png_header(const std::filesystem::path& output_png, int width, int height);

/// `file` for a script of the figure `output_png`: quoted, relative to the
/// figure's folder when it lies inside it (absolute otherwise).
std::string data_file(const std::filesystem::path& output_png, const std::filesystem::path& file);

/// Escapes a string for use inside a single-quoted gnuplot string.
std::string quote(const std::string& text);

}  // namespace attn::plot
