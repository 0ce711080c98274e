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
// Agreement is measured on the test set (capped at data.max_test) over the
// positions probes.positions names: all (<bos> w1 .. wn <eos>, the authors'
// convention) or words (<bos>/<eos> left out, so every probe ranks the same
// words; beta^px and beta^logistic score <bos>/<eos> 0, they are not words).
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

#include "attn/tasks/agreement_table.h"
#include "attn/tasks/classification_config.h"
#include "attn/tasks/classification_data.h"
#include "attn/tasks/comparison_curve.h"

namespace attn::tasks {

/// The shared table (agreement_table.h: steps, curves, rows, A-hat, xi*)
/// plus what only classification has.
struct ClassificationAnalysis : AgreementTable {
  double bow_validation_accuracy = 0, logistic_validation_accuracy = 0, logistic_c = 0;
  int64_t bow_best_epoch = 0;
  int64_t test_examples = 0;
  std::string positions;  ///< probes.positions: "all" or "words"
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

/// (N, L) bool: the positions of `examples` the agreement compares
/// (probes.positions: every real token, or words only).
torch::Tensor agreement_mask(const ClassificationConfig& config, const std::vector<data::EncodedExample>& examples);

/// Reads every snapshot of every run in `out_dir` and computes the above.
/// A is metrics::max_over_checkpoints of the per-checkpoint matches; a pair
/// whose match is undefined (NaN) at every checkpoint is an attn::Error.
ClassificationAnalysis analyze_run_set(const ClassificationConfig& config, const ClassificationData& data,
                                       const std::filesystem::path& out_dir, const AnalysisOptions& options = {});

}  // namespace attn::tasks
