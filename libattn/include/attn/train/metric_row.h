// One row of metrics (named numbers in a fixed order), as logged at every
// evaluation and written to metrics.csv / metrics.jsonl.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace attn::train {

struct MetricRow {
  std::vector<std::pair<std::string, double>> values;

  /// Sets `name` (appending it when new, keeping the order of first use).
  void set(const std::string& name, double value);
  /// The value of `name`, or NaN when absent.
  double get(const std::string& name) const;
  bool has(const std::string& name) const;

  /// CSV header line and a data line for rows sharing the same names.
  static std::string csv(const std::vector<MetricRow>& rows);
  /// One JSON object per line.
  static std::string jsonl(const std::vector<MetricRow>& rows);
  /// Parses what csv() wrote (throws attn::Error naming `origin`).
  static std::vector<MetricRow> parse_csv(const std::string& text, const std::string& origin);
};

}  // namespace attn::train
