// One comparison run's curve (PAPER.md section 4, "checkpoint protocol"): at
// every snapshot of a normally trained run B, C, ..., its validation accuracy
// perf and A(gold alpha, alpha_run(ckpt)), the top-p% match of its attention
// with the gold attention on the test set. Their means over runs are c(ckpt)
// and perf(ckpt) (classification_analysis.h). Reading these runs is most of an
// analysis's cost, so a curve can be computed in a worker process and handed
// back as CSV.
//
// Legend: N = test examples, L = longest test sequence.
#pragma once

#include <torch/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "attn/tasks/classification_config.h"
#include "attn/tasks/classification_data.h"
#include "attn/tasks/classification_runs.h"

namespace attn::tasks {

/// One comparison run's curve: at every snapshot, its validation accuracy and
/// A(gold alpha, alpha_run(ckpt)). Most of an analysis's cost (runs B..F).
struct ComparisonCurve {
  std::vector<double> agreement, accuracy;  ///< [ckpt]
};

/// Reads `run`'s snapshots at `steps` against `gold_alpha` (N, L).
ComparisonCurve comparison_curve(const ClassificationConfig& config, const ClassificationData& data,
                                 const ClassificationRun& run, const std::vector<int64_t>& steps,
                                 const torch::Tensor& gold_alpha);

/// A curve as CSV (step, accuracy, agreement; train::MetricRow's exact round
/// trip) and back; reading checks that the steps are `steps`.
std::string comparison_curve_csv(const ComparisonCurve& curve, const std::vector<int64_t>& steps);
ComparisonCurve read_comparison_curve_csv(const std::filesystem::path& path, const std::vector<int64_t>& steps);

/// Computes the curves of `runs` (in order) from the gold attention.
using ComparisonCurves = std::function<std::vector<ComparisonCurve>(const std::vector<ClassificationRun>& runs,
                                                                    const torch::Tensor& gold_alpha)>;

/// The worker side of comparison_curves_in_workers: reads `run_name`'s
/// snapshots against the gold attention its parent left in `work` and writes
/// work/<run>.csv.
void run_comparison_worker(const ClassificationConfig& config, const std::filesystem::path& runs_dir,
                           const std::string& run_name, const std::filesystem::path& work, bool progress);

/// Curves computed by `jobs` worker processes of `program`: the gold attention
/// is left in `work` (removed afterwards), and `worker_arguments(run, work)`
/// are the arguments that make a worker call run_comparison_worker.
ComparisonCurves comparison_curves_in_workers(
    const std::filesystem::path& work, int jobs, const std::vector<int64_t>& steps, const std::string& program,
    std::function<std::vector<std::string>(const std::string& run, const std::filesystem::path& work)>
        worker_arguments);

}  // namespace attn::tasks
