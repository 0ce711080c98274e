// Metric rows and their CSV/JSONL forms (see attn/train/metric_row.h).
#include "attn/train/metric_row.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "attn/core/error.h"
#include "io/json.h"

namespace attn::train {

void MetricRow::set(const std::string& name, double value) {
  for (auto& [key, v] : values)
    if (key == name) {
      v = value;
      return;
    }
  values.emplace_back(name, value);
}

double MetricRow::get(const std::string& name) const {
  for (const auto& [key, v] : values)
    if (key == name) return v;
  return std::numeric_limits<double>::quiet_NaN();
}

bool MetricRow::has(const std::string& name) const {
  for (const auto& kv : values)
    if (kv.first == name) return true;
  return false;
}

namespace {
std::string number(double v) {
  if (std::isnan(v)) return "nan";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);  // shortest text that reads back to the same double
}
}  // namespace

std::string MetricRow::csv(const std::vector<MetricRow>& rows) {
  if (rows.empty()) return "";
  std::string out;
  std::vector<std::string> names;
  for (const auto& kv : rows.front().values) names.push_back(kv.first);
  out += fmt::format("{}\n", fmt::join(names, ","));
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    for (const auto& name : names) cells.push_back(number(row.get(name)));
    out += fmt::format("{}\n", fmt::join(cells, ","));
  }
  return out;
}

std::string MetricRow::jsonl(const std::vector<MetricRow>& rows) {
  // {"step": 0, "train_loss": 3.6888794898986816, "ktiw_accuracy": null}: names
  // escaped by the JSON library, numbers as in the CSV, inf and nan as null.
  std::string out;
  for (const auto& row : rows) {
    std::vector<std::string> fields;
    for (const auto& [name, v] : row.values)
      fields.push_back(fmt::format("{}: {}", json::string_text(name), json::number_text(v)));
    out += fmt::format("{{{}}}\n", fmt::join(fields, ", "));
  }
  return out;
}

std::vector<MetricRow> MetricRow::parse_csv(const std::string& text, const std::string& origin) {
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> names;
  std::vector<MetricRow> rows;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream cs(line);
    std::string cell;
    while (std::getline(cs, cell, ',')) cells.push_back(cell);
    if (names.empty()) {
      names = cells;
      continue;
    }
    check(cells.size() == names.size(), "{}:{}: expected {} comma-separated values, got {}", origin,
          line_number, names.size(), cells.size());
    MetricRow row;
    for (size_t i = 0; i < names.size(); ++i) {
      double v = std::numeric_limits<double>::quiet_NaN();
      if (cells[i] != "nan") {
        try {
          size_t used = 0;
          v = std::stod(cells[i], &used);
          check(used == cells[i].size(), "");
        } catch (const std::exception&) {
          throw Error(fmt::format("{}:{}: column '{}': expected a number, got '{}'", origin, line_number,
                                  names[i], cells[i]));
        }
      }
      row.values.emplace_back(names[i], v);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace attn::train
