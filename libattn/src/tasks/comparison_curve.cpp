// Comparison curves and their CSV (see attn/tasks/comparison_curve.h).
#include "attn/tasks/comparison_curve.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>

#include "attn/core/error.h"
#include "attn/io/checkpoint.h"
#include "attn/io/files.h"
#include "attn/io/process_pool.h"
#include "attn/metrics/agreement.h"
#include "attn/probes/classifier_ktiw.h"
#include "attn/tasks/classification_analysis.h"
#include "attn/train/metric_row.h"
#include "core/stopwatch.h"

namespace attn::tasks {

namespace fs = std::filesystem;

ComparisonCurve comparison_curve(const ClassificationConfig& config, const ClassificationData& data,
                                 const ClassificationRun& run, const std::vector<int64_t>& steps,
                                 const torch::Tensor& gold_alpha) {
  const auto mask = agreement_mask(config, data.test);  // (N, L)
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

namespace {
constexpr const char* kGoldAlpha = "gold_alpha.pt";
}  // namespace

void run_comparison_worker(const ClassificationConfig& config, const fs::path& runs_dir, const std::string& run_name,
                           const fs::path& work, bool progress) {
  const auto data = load_run_set_data(config, runs_dir);
  const auto runs = classification_runs(config, runs_dir);
  const auto& run = find_run(runs, run_name);
  const auto steps = config.train.trainer.snapshot_steps();
  const auto start = std::chrono::steady_clock::now();
  const auto curve = comparison_curve(config, data, run, steps, io::load_tensor(work / kGoldAlpha, "gold_alpha"));
  io::write_file_atomic(work / (run.name + ".csv"), comparison_curve_csv(curve, steps));
  if (progress)
    fmt::print(stderr, "[attn-analyze worker {}] {} snapshots read in {:.0f}s\n", run.name, steps.size(),
               seconds_since(start));
}

ComparisonCurves comparison_curves_in_workers(
    const fs::path& work, int jobs, const std::vector<int64_t>& steps, const std::string& program,
    std::function<std::vector<std::string>(const std::string& run, const fs::path& work)> worker_arguments) {
  return [=](const std::vector<ClassificationRun>& runs, const torch::Tensor& gold_alpha) {
    std::vector<ComparisonCurve> curves;
    try {
      io::save_tensor(work / kGoldAlpha, "gold_alpha", gold_alpha);
      std::vector<std::vector<std::string>> arguments;
      for (const auto& run : runs) arguments.push_back(worker_arguments(run.name, work));
      const auto codes = io::run_self_in_parallel(arguments, jobs, program);
      for (size_t k = 0; k < runs.size(); ++k) {
        check(codes[k] == 0, "{}: worker reading run {} failed (exit {})", runs[k].dir.string(), runs[k].name,
              codes[k]);
        curves.push_back(read_comparison_curve_csv(work / (runs[k].name + ".csv"), steps));
      }
    } catch (...) {
      std::error_code ignored;
      fs::remove_all(work, ignored);
      throw;
    }
    fs::remove_all(work);
    return curves;
  };
}

}  // namespace attn::tasks
