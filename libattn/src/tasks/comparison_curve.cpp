// Comparison curves and their CSV (see attn/tasks/comparison_curve.h).
#include "attn/tasks/comparison_curve.h"

#include <fmt/format.h>

#include "attn/core/error.h"
#include "attn/io/files.h"
#include "attn/metrics/agreement.h"
#include "attn/probes/classifier_ktiw.h"
#include "attn/train/metric_row.h"

namespace attn::tasks {

namespace fs = std::filesystem;

ComparisonCurve comparison_curve(const ClassificationConfig& config, const ClassificationData& data,
                                 const ClassificationRun& run, const std::vector<int64_t>& steps,
                                 const torch::Tensor& gold_alpha) {
  const auto mask = probes::word_mask(data.test);  // (N, L)
  check(gold_alpha.sizes() == mask.sizes(), "run {}: gold attention of shape {} does not fit the test set ({})",
        run.name, fmt::join(gold_alpha.sizes(), "x"), fmt::join(mask.sizes(), "x"));
  ComparisonCurve curve;
  for (int64_t step : steps) {
    auto model = load_snapshot(config, data, run, step);
    curve.accuracy.push_back(probes::read_classifier(*model, data.validation, config.probes.chunk).accuracy);
    const auto alpha = probes::read_classifier(*model, data.test, config.probes.chunk).alpha;
    curve.agreement.push_back(metrics::top_percent_match(gold_alpha, alpha, mask, config.probes.percent).mean);
  }
  return curve;
}

std::string comparison_curve_csv(const ComparisonCurve& curve, const std::vector<int64_t>& steps) {
  check(curve.agreement.size() == steps.size() && curve.accuracy.size() == steps.size(),
        "comparison curve: {} points for {} steps", curve.agreement.size(), steps.size());
  std::vector<train::MetricRow> rows(steps.size());
  for (size_t c = 0; c < steps.size(); ++c) {
    rows[c].set("step", static_cast<double>(steps[c]));
    rows[c].set("accuracy", curve.accuracy[c]);
    rows[c].set("agreement", curve.agreement[c]);
  }
  return train::MetricRow::csv(rows);
}

ComparisonCurve read_comparison_curve_csv(const fs::path& path, const std::vector<int64_t>& steps) {
  const auto rows = train::MetricRow::parse_csv(io::read_text_file(path), path.string());
  check(rows.size() == steps.size(), "{}: expected {} rows, one per snapshot, got {}", path.string(), steps.size(),
        rows.size());
  ComparisonCurve curve;
  for (size_t c = 0; c < rows.size(); ++c) {
    check(rows[c].get("step") == static_cast<double>(steps[c]) && rows[c].has("accuracy") &&
              rows[c].has("agreement"),
          "{}: row {}: expected step {} with its accuracy and agreement", path.string(), c + 1, steps[c]);
    curve.accuracy.push_back(rows[c].get("accuracy"));
    curve.agreement.push_back(rows[c].get("agreement"));
  }
  return curve;
}

}  // namespace attn::tasks
