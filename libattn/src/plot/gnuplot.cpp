// gnuplot runner (see attn/plot/gnuplot.h).
#include "attn/plot/gnuplot.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
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
                     width, height, quote(output_png.filename().string()));
}

std::string data_file(const std::filesystem::path& output_png, const std::filesystem::path& file) {
  const auto folder = std::filesystem::absolute(output_png).parent_path().lexically_normal();
  const auto absolute = std::filesystem::absolute(file).lexically_normal();
  const auto relative = absolute.lexically_relative(folder);
  const bool inside = !relative.empty() && *relative.begin() != "..";
  return quote((inside ? relative : absolute).string());
}

namespace {
// The first lines of every saved script: go to the script's own folder (gnuplot
// sets ARG0 to the script's path), where its data files and figure are named.
constexpr const char* kGoToScriptFolder =
    "# Files below are relative to this script's folder: go there first.\n"
    "slash = strlen(ARG0)\n"
    "while (slash > 0 && ARG0[slash:slash] ne '/') { slash = slash - 1 }\n"
    "if (slash > 0) { cd ARG0[1:slash] }\n";

// Runs `gnuplot <script>` without a shell; its exit status, or -1.
int run_gnuplot(const std::filesystem::path& script) {
  const std::string program = "gnuplot", path = script.string();
  char* argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>(path.c_str()), nullptr};
  pid_t pid = 0;
  if (::posix_spawnp(&pid, "gnuplot", nullptr, nullptr, argv, environ) != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace

bool render_figure(const std::filesystem::path& output_png, const std::string& script) {
  std::filesystem::path script_path = output_png;
  script_path.replace_extension(".gp");
  io::write_file_atomic(script_path, kGoToScriptFolder + script);
  if (!gnuplot_available()) {
    fmt::print(stderr, "warning: gnuplot not found; wrote {} but no figure\n", script_path.string());
    return false;
  }
  if (run_gnuplot(script_path) != 0) {
    fmt::print(stderr, "warning: gnuplot failed on {}\n", script_path.string());
    return false;
  }
  return true;
}

}  // namespace attn::plot
