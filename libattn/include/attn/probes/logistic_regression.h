// The probe beta^logistic of PAPER.md section 3, classification: L2-
// regularised logistic regression on length-normalised bag-of-words counts
// (x_{i,v} = count of word v in example i / number of words in i; <bos> and
// <eos> are not words), written with LibTorch (no new dependency). The
// objective is scikit-learn's, with C the inverse regularisation strength:
//     0.5 ||w||^2 + C sum_i log(1 + exp(-(2y_i - 1)(x_i . w + b))),
// the intercept b unregularised; it is minimised in float64 with L-BFGS
// (strong Wolfe line search). C is chosen from a grid (1e-5 .. 1e4) by
// validation accuracy (ties: the smaller C). A word's score is its
// coefficient w_v; beta^logistic is that score signed by the gold label
// (probes::signed_word_scores).
//
// X w is never formed as a dense (N, V) matrix: it is a scatter-add of
// w[token] / n_i over the tokens, so memory is linear in the corpus size.
//
// Legend: N = examples, V = vocabulary.
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

#include <vector>

#include "attn/data/text_batch.h"

namespace attn::probes {

struct LogisticRegressionOptions {
  /// Values of C tried (inverse regularisation strength).
  TORCH_ARG(std::vector<double>, grid) = {1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 1e1, 1e2, 1e3, 1e4};
  /// L-BFGS iterations per fit.
  TORCH_ARG(int64_t, max_iterations) = 300;
};

struct LogisticFit {
  double c = 1.0;
  torch::Tensor weights;  ///< (V) float64, one coefficient per vocabulary id (0 for ids never seen)
  double bias = 0.0;
  double objective = 0.0;  ///< the objective above at the solution
};

/// Fits one C on `examples`. Throws attn::Error for no examples or C <= 0.
LogisticFit fit_logistic_regression(const std::vector<data::EncodedExample>& examples, int64_t vocab_size,
                                    double c, int64_t max_iterations = 300);

/// Decision values x_i . w + b (N), float64.
torch::Tensor logistic_decision(const LogisticFit& fit, const std::vector<data::EncodedExample>& examples);

struct LogisticSelection {
  LogisticFit best;                       ///< refit-free: the fit at the chosen C
  std::vector<double> grid;               ///< C values tried
  std::vector<double> validation_accuracy;  ///< per C
  double seconds = 0;
};

/// Fits every C of the grid on `train`, keeps the best by accuracy on `validation`.
LogisticSelection select_logistic_regression(const std::vector<data::EncodedExample>& train,
                                             const std::vector<data::EncodedExample>& validation,
                                             int64_t vocab_size, const LogisticRegressionOptions& options = {});

}  // namespace attn::probes
