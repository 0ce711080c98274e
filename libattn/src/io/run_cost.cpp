// Run cost (see attn/io/run_cost.h).
#include "attn/io/run_cost.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "attn/io/run_record.h"

namespace fs = std::filesystem;

namespace attn::io {

std::optional<RunSpan> read_run_span(const fs::path& run_dir) {
  const auto seconds = recorded_seconds(run_dir);
  if (!seconds) return std::nullopt;
  return RunSpan{recorded_start(run_dir), *seconds};
}

std::vector<RunSpan> read_run_spans(const fs::path& root) {
  std::vector<fs::path> run_dirs;
  if (fs::exists(root)) {
    for (const auto& entry : fs::recursive_directory_iterator(root))
      if (entry.is_regular_file() && entry.path().filename() == kDoneMarker)
        run_dirs.push_back(entry.path().parent_path());
  }
  std::sort(run_dirs.begin(), run_dirs.end());
  std::vector<RunSpan> spans;
  for (const auto& dir : run_dirs) spans.push_back(*read_run_span(dir));
  return spans;
}

RunCost run_cost(std::vector<RunSpan> spans, double bridged_gap) {
  RunCost cost;
  std::sort(spans.begin(), spans.end(), [](const RunSpan& a, const RunSpan& b) { return a.start < b.start; });
  double open_start = 0, open_end = 0;
  for (const auto& span : spans) {
    ++cost.runs;
    cost.worker_seconds += span.seconds;
    const double end = span.start + span.seconds;
    if (cost.stretches == 0 || span.start > open_end + bridged_gap) {
      cost.active_seconds += open_end - open_start;  // close the previous stretch
      open_start = span.start;
      open_end = end;
      ++cost.stretches;
    } else {
      open_end = std::max(open_end, end);
    }
  }
  cost.active_seconds += open_end - open_start;
  return cost;
}

std::string format_duration(double seconds) {
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  const auto total = static_cast<int64_t>(std::llround(seconds));
  if (total < 3600) return fmt::format("{} min {:02d} s", total / 60, total % 60);
  const int64_t minutes = (total + 30) / 60;
  return fmt::format("{} h {:02d} min", minutes / 60, minutes % 60);
}

std::string format_run_costs(const std::vector<std::pair<std::string, std::vector<RunSpan>>>& phases) {
  std::string table =
      "| phase | finished runs | compute (sum over runs) | active wall time | stretches |\n|---|---:|---:|---:|---:|\n";
  auto row = [&](const std::string& name, const std::vector<RunSpan>& spans) {
    const RunCost cost = run_cost(spans);
    table += fmt::format("| {} | {} | {} | {} | {} |\n", name, cost.runs, format_duration(cost.worker_seconds),
                         format_duration(cost.active_seconds), cost.stretches);
  };
  std::vector<RunSpan> all;
  for (const auto& [name, spans] : phases) {
    row(name, spans);
    all.insert(all.end(), spans.begin(), spans.end());
  }
  if (phases.size() > 1) row("all", all);
  return table +
         "\nCompute adds up the training time of every finished run. Active wall time is the time during which at "
         "least one of them was training; the gaps between stretches (the experiment stopped, or not yet resumed) "
         "are left out. A killed run counts for nothing and a resumed one from its last start only, so both are "
         "lower bounds for an experiment that was interrupted.\n";
}

}  // namespace attn::io
