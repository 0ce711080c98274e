// Analysis of a classification run set (see attn/tasks/classification_analysis.h).
#include "attn/tasks/classification_analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <limits>

#include "attn/core/error.h"
#include "attn/metrics/agreement.h"
#include "attn/metrics/checkpoint_protocol.h"
#include "attn/probes/bag_of_embeddings.h"
#include "attn/probes/classifier_ktiw.h"
#include "attn/probes/gradient_influence.h"
#include "attn/probes/logistic_regression.h"
#include "core/stopwatch.h"

namespace attn::tasks {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// One probe pair's top-p% match at every checkpoint, and A, its max over
// them (metrics::max_over_checkpoints: NaN skipped, the earliest of equal
// maxima), with the pair of maps at that checkpoint for Kendall's tau and the
// shuffled baseline. Only the maps of the best checkpoint so far are kept.
class OverCheckpoints {
 public:
  void add(int64_t step, double agreement, const torch::Tensor& x, const torch::Tensor& y) {
    values_.push_back(agreement);
    if (metrics::argmax_over_checkpoints(values_) == values_.size() - 1) {
      step_ = step;
      x_ = x;
      y_ = y;
    }
  }
  // A; throws attn::Error naming `label` when no checkpoint defines it.
  double agreement(const std::string& label, const std::string& over, const std::filesystem::path& run_dir) const {
    const std::optional<double> a = metrics::max_over_checkpoints(values_);
    check(a.has_value(),
          "{}: {} undefined at all {} checkpoints ({}); the top-p% match is NaN when no test example has a word "
          "position to compare",
          run_dir.string(), label, values_.size(), over);
    return *a;
  }
  int64_t step() const { return step_; }  ///< the checkpoint giving A (-1: none)
  const torch::Tensor& x() const { return x_; }
  const torch::Tensor& y() const { return y_; }

 private:
  std::vector<double> values_;
  int64_t step_ = -1;
  torch::Tensor x_, y_;
};

}  // namespace

torch::Tensor agreement_mask(const ClassificationConfig& config, const std::vector<data::EncodedExample>& examples) {
  return config.probes.positions == "words" ? probes::word_mask(examples) : probes::token_mask(examples);
}

ClassificationAnalysis analyze_run_set(const ClassificationConfig& config, const ClassificationData& data,
                                       const fs::path& out_dir, const AnalysisOptions& options) {
  const auto start = Clock::now();
  auto log = [&](const std::string& line) {
    if (options.progress) fmt::print(stderr, "[attn-analyze {:.0f}s] {}\n", seconds_since(start), line);
  };
  const auto runs = classification_runs(config, out_dir);
  for (const auto& run : runs)
    check(run_finished(run), "{}: run {} is not finished; complete it with attn-classify --resume",
          run.dir.string(), run.name);
  const double p = config.probes.percent;
  const int64_t chunk = config.probes.chunk;
  const auto mask = agreement_mask(config, data.test);  // (N, L)
  auto match = [&](const torch::Tensor& x, const torch::Tensor& y) {
    return metrics::top_percent_match(x, y, mask, p).mean;
  };

  ClassificationAnalysis a;
  a.name = config.name;
  a.percent = p;
  a.steps = config.train.trainer.snapshot_steps();
  a.test_examples = static_cast<int64_t>(data.test.size());
  a.positions = config.probes.positions;
  a.mask = mask;

  // 1. Run A: validation accuracy at every snapshot; the best is the gold one
  //    (ties: lower validation loss, then the earlier step).
  const auto& gold_run = runs.front();
  double best_loss = std::numeric_limits<double>::infinity();
  double best_accuracy = -1;
  for (int64_t step : a.steps) {
    auto model = load_snapshot(config, data, gold_run, step);
    auto val = probes::read_classifier(*model, data.validation, chunk);
    a.gold_accuracy.push_back(val.accuracy);
    if (val.accuracy > best_accuracy || (val.accuracy == best_accuracy && val.loss < best_loss)) {
      best_accuracy = val.accuracy;
      best_loss = val.loss;
      a.gold_step = step;
    }
  }
  a.xi_star = best_accuracy;
  log(fmt::format("gold: run A (seed {}) at step {}, validation accuracy {:.4f}", gold_run.seed, a.gold_step,
                  best_accuracy));

  // 2. Gold attention, probability and gradient influence on the test set.
  {
    auto model = load_snapshot(config, data, gold_run, a.gold_step);
    auto test = probes::read_classifier(*model, data.test, chunk);
    a.alpha = test.alpha;
    a.gold_probability = test.probability;
    a.delta = probes::gradient_influence(*model, data.test, chunk);
  }

  // Runs B.. need only the gold attention: with options.comparisons they are
  // read elsewhere (worker processes) while this process goes on with 3-5.
  check(runs.size() >= 2, "{}: expected run A and the uniform run", out_dir.string());
  const std::vector<ClassificationRun> comparison_runs(runs.begin() + 1, runs.end() - 1);
  std::future<std::vector<ComparisonCurve>> pending;
  if (options.comparisons)
    pending = std::async(std::launch::async, options.comparisons, comparison_runs, a.alpha);

  // 3. Run A's own beta at every snapshot: A(alpha, beta).
  OverCheckpoints own;
  for (int64_t step : a.steps) {
    auto model = load_snapshot(config, data, gold_run, step);
    auto beta = probes::read_classifier(*model, data.test, chunk).beta;
    own.add(step, match(a.alpha, beta), a.alpha, beta);
  }
  log(fmt::format("A(alpha, beta) = {:.4f} at step {}", own.agreement("A(alpha, beta)", "run A", gold_run.dir), own.step()));

  // 4. Co-occurrence probes, fitted once.
  auto bow = probes::train_bag_of_embeddings(data.train, data.validation, data.vocab.size(),
                                             probes::BagOfEmbeddingsOptions()
                                                 .embedding_dim(config.probes.bow_dim)
                                                 .epochs(config.probes.bow_epochs)
                                                 .batch_size(config.probes.bow_batch_size)
                                                 .seed(static_cast<uint64_t>(config.uniform_seed)));
  a.bow_best_epoch = bow.best_epoch;
  a.bow_validation_accuracy = bow.validation_accuracy;
  a.beta_px = probes::signed_word_scores(bow.word_scores, data.test);
  log(fmt::format("beta^px: best epoch {}, validation accuracy {:.4f} ({:.1f}s)", bow.best_epoch,
                  bow.validation_accuracy, bow.seconds));
  auto logistic = probes::select_logistic_regression(
      data.train, data.validation, data.vocab.size(),
      probes::LogisticRegressionOptions().grid(config.probes.logistic_grid));
  a.logistic_c = logistic.best.c;
  a.logistic_validation_accuracy = *std::max_element(logistic.validation_accuracy.begin(),
                                                     logistic.validation_accuracy.end());
  const auto beta_logistic = probes::signed_word_scores(logistic.best.weights.to(torch::kFloat32), data.test);
  log(fmt::format("beta^logistic: C = {:g}, validation accuracy {:.4f} ({:.1f}s)", a.logistic_c,
                  a.logistic_validation_accuracy, logistic.seconds));

  // 5. The uniform run's beta^uf at every snapshot against everything.
  OverCheckpoints uf_alpha, uf_delta, uf_px, uf_logistic;
  const auto& uniform_run = runs.back();
  for (int64_t step : a.steps) {
    auto model = load_snapshot(config, data, uniform_run, step);
    auto beta_uf = probes::read_classifier(*model, data.test, chunk).beta;
    const double agreement = match(a.alpha, beta_uf);
    a.uniform_agreement.push_back(agreement);
    uf_alpha.add(step, agreement, a.alpha, beta_uf);
    uf_delta.add(step, match(a.delta, beta_uf), a.delta, beta_uf);
    uf_px.add(step, match(beta_uf, a.beta_px), beta_uf, a.beta_px);
    uf_logistic.add(step, match(beta_uf, beta_logistic), beta_uf, beta_logistic);
  }
  a.beta_uf = uf_alpha.y();
  log(fmt::format("A(alpha, beta^uf) = {:.4f} at step {}", uf_alpha.agreement("A(alpha, beta^uf)", "uniform run", uniform_run.dir),
                  uf_alpha.step()));

  // 6. Comparison runs B..: agreement of their attention with the gold one.
  auto report = [&](const ClassificationRun& run, const ComparisonCurve& curve) {
    check(curve.agreement.size() == a.steps.size() && curve.accuracy.size() == a.steps.size(),
          "run {}: comparison curve has {} points, expected {}", run.name, curve.agreement.size(), a.steps.size());
    log(fmt::format("run {}: final A(gold alpha, alpha) {:.4f}, validation accuracy {:.4f}", run.name,
                    curve.agreement.back(), curve.accuracy.back()));
    a.comparison_runs.push_back(run.name);
    a.comparison_agreement.push_back(curve.agreement);
    a.comparison_accuracy.push_back(curve.accuracy);
  };
  if (pending.valid()) {
    const auto curves = pending.get();
    check(curves.size() == comparison_runs.size(), "comparison runs: got {} curves for {} runs", curves.size(),
          comparison_runs.size());
    for (size_t r = 0; r < curves.size(); ++r) report(comparison_runs[r], curves[r]);
  } else {
    for (const auto& run : comparison_runs) report(run, comparison_curve(config, data, run, a.steps, a.alpha));
  }
  a.mean_agreement = metrics::mean_over_runs(a.comparison_agreement);
  a.mean_accuracy = metrics::mean_over_runs(a.comparison_accuracy);

  // 7. The table.
  auto row = [&](const std::string& key, const std::string& label, const OverCheckpoints& best,
                 const std::string& over) {
    const double agreement = best.agreement(label, over, over == "run A" ? gold_run.dir : uniform_run.dir);
    AgreementRow r{key, label, agreement, metrics::kendall_tau_b(best.x(), best.y(), mask).mean, best.step(),
                   metrics::xi(agreement, a.mean_agreement, a.mean_accuracy), over};
    a.rows.push_back(r);
  };
  row("alpha_beta_uf", "A(alpha, beta^uf)", uf_alpha, "uniform run");
  row("beta_uf_beta_px", "A(beta^uf, beta^px)", uf_px, "uniform run");
  row("beta_uf_beta_logistic", "A(beta^uf, beta^logistic)", uf_logistic, "uniform run");
  row("delta_beta_uf", "A(Delta, beta^uf)", uf_delta, "uniform run");
  row("alpha_beta", "A(alpha, beta)", own, "run A");
  const auto shuffled = metrics::ShuffleOptions().repeats(config.probes.shuffle_repeats).seed(0).percent(p);
  a.a_hat = metrics::shuffled_baseline(metrics::Statistic::kTopPercentMatch, uf_alpha.x(), uf_alpha.y(), mask,
                                       shuffled).mean;
  a.a_hat_tau = metrics::shuffled_baseline(metrics::Statistic::kKendallTau, uf_alpha.x(), uf_alpha.y(), mask,
                                             shuffled).mean;
  a.seconds = seconds_since(start);
  return a;
}

}  // namespace attn::tasks
