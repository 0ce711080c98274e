// What an experiment of many runs cost, read back from its run folders. Such
// an experiment is often stopped and resumed across several invocations (and
// days), so "the wall time of this invocation" says little. Every finished
// run folder holds run.json (its start, "started_utc") and its done marker
// (its training seconds); from these come the compute spent, and the wall time
// during which at least one run was training, gaps between invocations left out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace attn::io {

/// The last attempt of one finished run: when it started, how long it trained.
struct RunSpan {
  double start = 0;    ///< Unix time, seconds
  double seconds = 0;  ///< training time from the done marker
};

/// The run in `run_dir` if it finished (has a done marker), else nullopt.
/// Throws attn::Error naming the file when run.json or done is malformed.
std::optional<RunSpan> read_run_span(const std::filesystem::path& run_dir);

/// Every finished run under `root` (folders holding a done marker, at any
/// depth), in path order; empty when `root` does not exist.
std::vector<RunSpan> read_run_spans(const std::filesystem::path& root);

struct RunCost {
  int64_t runs = 0;
  double worker_seconds = 0;  ///< sum of the runs' training time
  double active_seconds = 0;  ///< length of the union of the runs' spans
  int64_t stretches = 0;      ///< separate intervals of that union
};

/// Compute and active wall time of `spans`. Spans less than `bridged_gap`
/// seconds apart belong to one stretch, gap included: that is the app setting
/// up its next run (run.json is written before the model is built), not the
/// experiment standing still. A run killed before it finished counts for
/// nothing, and a resumed run from its last start only, so for an experiment
/// that was interrupted both figures are lower bounds.
RunCost run_cost(std::vector<RunSpan> spans, double bridged_gap = 60);

/// A Markdown table, a row per named phase (and "all" for more than one),
/// with a paragraph saying what the columns mean.
std::string format_run_costs(const std::vector<std::pair<std::string, std::vector<RunSpan>>>& phases);

/// "3 h 12 min", "4 min 05 s", "12.3 s".
std::string format_duration(double seconds);

}  // namespace attn::io
