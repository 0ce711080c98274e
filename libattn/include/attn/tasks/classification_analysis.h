// The analysis of a finished classification run set (PAPER.md sections 3 and
// 4): every probe at every snapshot, the agreement table with its xi values,
// the comparison curve c(ckpt), and the per-token maps for the HTML page.
//
//   gold alpha      run A's attention at its best validation snapshot
//   Delta           run A's gradient influence at that snapshot
//   beta^uf(ckpt)   the uniform run's KTIW probe at each snapshot
//   beta (ckpt)     run A's own KTIW probe at each snapshot
//   beta^px, beta^logistic   fitted once on train, selected on validation
//   A(X, Y)         max over checkpoints of the top-p% match (metrics/agreement.h)
//   c(ckpt), perf   runs B.. : mean A(gold alpha, alpha_run(ckpt)) and mean
//                   validation accuracy; xi(X) = perf at the first ckpt with
//                   c > A(X); xi* = run A's best validation accuracy.
// Agreement is measured on the test set (capped at data.max_test) over word
// positions: <bos>/<eos> are left out so every probe ranks the same words.
// The comparison curves are comparison_curve.h; the table as text is
// agreement_report.h; the figure's and HTML page's inputs are
// classification_figure_data.h.
//
// Legend: N = test examples, L = longest test sequence.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "attn/tasks/classification_config.h"
#include "attn/tasks/classification_data.h"
#include "attn/tasks/comparison_curve.h"

namespace attn::tasks {

/// One row of the agreement table.
struct AgreementRow {
  std::string key;          ///< "alpha_beta_uf", ... (CSV)
  std::string label;        ///< "A(alpha, beta^uf)" (Markdown)
  double agreement = 0;     ///< A: max over the checkpoints named in `over`
  double kendall_tau = 0;   ///< mean tau-b at the checkpoint giving A
  int64_t step = -1;        ///< that checkpoint (-1: no checkpoint involved)
  std::optional<double> xi; ///< xi(A); nullopt = never reached by the comparison runs
  std::string over;         ///< which checkpoints the max ranges over
};

struct ClassificationAnalysis {
  std::string name;
  double percent = 5.0;                            ///< p of the top-p% match (probes.percent)
  std::vector<int64_t> steps;                      ///< snapshot steps
  std::vector<std::string> comparison_runs;        ///< "B", "C", ...
  std::vector<std::vector<double>> comparison_agreement;  ///< [run][ckpt] A(gold alpha, alpha_run)
  std::vector<std::vector<double>> comparison_accuracy;   ///< [run][ckpt] validation accuracy
  std::vector<double> mean_agreement, mean_accuracy;      ///< c(ckpt), perf(ckpt)
  std::vector<double> gold_accuracy;               ///< run A's validation accuracy per ckpt
  std::vector<double> uniform_agreement;           ///< A(gold alpha, beta^uf(ckpt)) per ckpt
  int64_t gold_step = 0;                           ///< run A's best snapshot
  double xi_star = 0;                              ///< its validation accuracy
  std::vector<AgreementRow> rows;
  double a_hat = 0, a_hat_tau = 0;                 ///< shuffled baseline of A(alpha, beta^uf)
  double bow_validation_accuracy = 0, logistic_validation_accuracy = 0, logistic_c = 0;
  int64_t bow_best_epoch = 0;
  int64_t test_examples = 0;
  double seconds = 0;

  /// Per-token maps on the test set for the HTML page, (N, L) each.
  torch::Tensor alpha, beta_uf, beta_px, delta, mask;
  torch::Tensor gold_probability;  ///< (N) run A's P(y = 1)
};

struct AnalysisOptions {
  bool progress = true;
  /// Empty: the comparison runs are read one after another in this process.
  /// attn-analyze --jobs passes one that reads them in worker processes; it is
  /// called on a second thread while this process reads the uniform run and
  /// fits the probes, so it should leave the computing to its workers.
  ComparisonCurves comparisons = {};  // "= {}": positional initialisers need not name it
};

/// Reads every snapshot of every run in `out_dir` and computes the above.
/// A is metrics::max_over_checkpoints of the per-checkpoint matches; a pair
/// whose match is undefined (NaN) at every checkpoint is an attn::Error.
ClassificationAnalysis analyze_run_set(const ClassificationConfig& config, const ClassificationData& data,
                                       const std::filesystem::path& out_dir, const AnalysisOptions& options = {});

}  // namespace attn::tasks
