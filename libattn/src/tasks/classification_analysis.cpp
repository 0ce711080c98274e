// Analysis of a classification run set (see attn/tasks/classification_analysis.h).
#include "attn/tasks/classification_analysis.h"

#include <fmt/format.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <limits>
#include <numeric>
#include <random>

#include "attn/core/error.h"
#include "attn/core/seeded_random.h"
#include "attn/io/checkpoint.h"
#include "attn/io/files.h"
#include "attn/metrics/agreement.h"
#include "attn/metrics/checkpoint_protocol.h"
#include "attn/probes/bag_of_embeddings.h"
#include "attn/probes/classifier_ktiw.h"
#include "attn/probes/gradient_influence.h"
#include "attn/probes/logistic_regression.h"
#include "attn/train/metric_row.h"
#include "core/json.h"

namespace attn::tasks {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The best (largest) agreement over checkpoints and the pair that gave it.
struct Best {
  double agreement = -std::numeric_limits<double>::infinity();
  int64_t step = -1;
  torch::Tensor x, y;
  void offer(double a, int64_t s, const torch::Tensor& xs, const torch::Tensor& ys) {
    if (!std::isnan(a) && a > agreement) {
      agreement = a;
      step = s;
      x = xs;
      y = ys;
    }
  }
};

nn::AttentionClassifier load_model(const ClassificationConfig& config, const ClassificationData& data,
                                   const ClassificationRun& run, int64_t step) {
  nn::AttentionClassifier model(config.model_options(data.vocab.size()).uniform(run.uniform));
  io::load_weights(snapshot_path(run, step), *model);
  model->eval();
  return model;
}

}  // namespace

ClassificationAnalysis analyze_run_set(const ClassificationConfig& config, const ClassificationData& data,
                                       const fs::path& out_dir, const AnalysisOptions& options) {
  const auto start = Clock::now();
  auto log = [&](const std::string& line) {
    if (options.progress) fmt::print(stderr, "[attn-analyze {:.0f}s] {}\n", since(start), line);
  };
  const auto runs = classification_runs(config, out_dir);
  for (const auto& run : runs)
    check(run_finished(run), "{}: run {} is not finished; complete it with attn-classify --resume",
          run.dir.string(), run.name);
  const double p = config.probes.percent;
  const int64_t chunk = config.probes.chunk;
  const auto mask = probes::word_mask(data.test);  // (N, L)
  auto match = [&](const torch::Tensor& x, const torch::Tensor& y) {
    return metrics::top_percent_match(x, y, mask, p).mean;
  };

  ClassificationAnalysis a;
  a.name = config.name;
  a.steps = config.trainer.snapshot_steps();
  a.test_examples = static_cast<int64_t>(data.test.size());
  a.mask = mask;

  // 1. Run A: validation accuracy at every snapshot; the best is the gold one
  //    (ties: lower validation loss, then the earlier step).
  const auto& gold_run = runs.front();
  double best_loss = std::numeric_limits<double>::infinity();
  double best_accuracy = -1;
  for (int64_t step : a.steps) {
    auto model = load_model(config, data, gold_run, step);
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
    auto model = load_model(config, data, gold_run, a.gold_step);
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
  Best own;
  for (int64_t step : a.steps) {
    auto model = load_model(config, data, gold_run, step);
    auto beta = probes::read_classifier(*model, data.test, chunk).beta;
    own.offer(match(a.alpha, beta), step, a.alpha, beta);
  }
  log(fmt::format("A(alpha, beta) = {:.4f} at step {}", own.agreement, own.step));

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
  Best uf_alpha, uf_delta, uf_px, uf_logistic;
  const auto& uniform_run = runs.back();
  for (int64_t step : a.steps) {
    auto model = load_model(config, data, uniform_run, step);
    auto beta_uf = probes::read_classifier(*model, data.test, chunk).beta;
    const double agreement = match(a.alpha, beta_uf);
    a.uniform_agreement.push_back(agreement);
    uf_alpha.offer(agreement, step, a.alpha, beta_uf);
    uf_delta.offer(match(a.delta, beta_uf), step, a.delta, beta_uf);
    uf_px.offer(match(beta_uf, a.beta_px), step, beta_uf, a.beta_px);
    uf_logistic.offer(match(beta_uf, beta_logistic), step, beta_uf, beta_logistic);
  }
  a.beta_uf = uf_alpha.y;
  log(fmt::format("A(alpha, beta^uf) = {:.4f} at step {}", uf_alpha.agreement, uf_alpha.step));

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
  auto row = [&](const std::string& key, const std::string& label, const Best& best, const std::string& over) {
    AgreementRow r{key, label, best.agreement, metrics::kendall_tau_b(best.x, best.y, mask).mean, best.step,
                   metrics::xi(best.agreement, a.mean_agreement, a.mean_accuracy), over};
    a.rows.push_back(r);
  };
  row("alpha_beta_uf", "A(alpha, beta^uf)", uf_alpha, "uniform run");
  row("beta_uf_beta_px", "A(beta^uf, beta^px)", uf_px, "uniform run");
  row("beta_uf_beta_logistic", "A(beta^uf, beta^logistic)", uf_logistic, "uniform run");
  row("delta_beta_uf", "A(Delta, beta^uf)", uf_delta, "uniform run");
  row("alpha_beta", "A(alpha, beta)", own, "run A");
  const auto shuffled = metrics::ShuffleOptions{config.probes.shuffle_repeats, 0, p};
  a.a_hat = metrics::shuffled_baseline(metrics::Statistic::kTopPercentMatch, uf_alpha.x, uf_alpha.y, mask, shuffled).mean;
  a.a_hat_tau = metrics::shuffled_baseline(metrics::Statistic::kKendallTau, uf_alpha.x, uf_alpha.y, mask, shuffled).mean;
  a.seconds = since(start);
  return a;
}

ComparisonCurve comparison_curve(const ClassificationConfig& config, const ClassificationData& data,
                                 const ClassificationRun& run, const std::vector<int64_t>& steps,
                                 const torch::Tensor& gold_alpha) {
  const auto mask = probes::word_mask(data.test);  // (N, L)
  check(gold_alpha.sizes() == mask.sizes(), "run {}: gold attention of shape {} does not fit the test set ({})",
        run.name, fmt::join(gold_alpha.sizes(), "x"), fmt::join(mask.sizes(), "x"));
  ComparisonCurve curve;
  for (int64_t step : steps) {
    auto model = load_model(config, data, run, step);
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
std::string xi_text(const std::optional<double>& xi) { return xi ? fmt::format("{:.4f}", *xi) : "never"; }
}  // namespace

std::string agreement_markdown(const ClassificationAnalysis& a) {
  std::string out = fmt::format(
      "| quantity | A (top-5% match) | Kendall tau-b | checkpoint | xi (val. acc.) |\n|---|---:|---:|---:|---:|\n");
  for (const auto& r : a.rows)
    out += fmt::format("| {} | {:.4f} | {:.4f} | {} ({}) | {} |\n", r.label, r.agreement, r.kendall_tau, r.step,
                       r.over, xi_text(r.xi));
  out += fmt::format("| A-hat (shuffled beta^uf) | {:.4f} | {:.4f} | | |\n", a.a_hat, a.a_hat_tau);
  out += fmt::format("| xi* (run A's best val. acc.) | | | {} (run A) | {:.4f} |\n", a.gold_step, a.xi_star);
  out += fmt::format(
      "\n{} test examples; gold attention = run A at step {}; comparison runs {}; beta^px best epoch {} "
      "(val. acc. {:.4f}); beta^logistic C = {:g} (val. acc. {:.4f}).\n",
      a.test_examples, a.gold_step, fmt::join(a.comparison_runs, ", "), a.bow_best_epoch,
      a.bow_validation_accuracy, a.logistic_c, a.logistic_validation_accuracy);
  return out;
}

std::string agreement_csv(const ClassificationAnalysis& a) {
  std::string out = "quantity,agreement,kendall_tau,step,xi\n";
  for (const auto& r : a.rows)
    out += fmt::format("{},{:.6f},{:.6f},{},{}\n", r.key, r.agreement, r.kendall_tau, r.step,
                       r.xi ? fmt::format("{:.6f}", *r.xi) : "");
  out += fmt::format("a_hat,{:.6f},{:.6f},,\n", a.a_hat, a.a_hat_tau);
  out += fmt::format("xi_star,,,{},{:.6f}\n", a.gold_step, a.xi_star);
  return out;
}

std::string agreement_curve_csv(const ClassificationAnalysis& a) {
  std::string out = "step";
  for (const auto& r : a.comparison_runs) out += ",agreement_" + r;
  out += ",agreement_mean";
  for (const auto& r : a.comparison_runs) out += ",val_acc_" + r;
  out += ",val_acc_mean,val_acc_A,agreement_alpha_beta_uf\n";
  for (size_t c = 0; c < a.steps.size(); ++c) {
    out += std::to_string(a.steps[c]);
    for (const auto& run : a.comparison_agreement) out += fmt::format(",{:.6f}", run[c]);
    out += fmt::format(",{:.6f}", a.mean_agreement[c]);
    for (const auto& run : a.comparison_accuracy) out += fmt::format(",{:.6f}", run[c]);
    out += fmt::format(",{:.6f},{:.6f},{:.6f}\n", a.mean_accuracy[c], a.gold_accuracy[c], a.uniform_agreement[c]);
  }
  return out;
}

std::string ExtractionBenchmark::json() const {
  const auto seconds = [](double s) { return json::number(std::round(s * 1000) / 1000); };  // ms resolution
  const json::Value doc = {{"examples", examples},
                           {"probe_seconds", seconds(probe_seconds)},
                           {"influence_seconds", seconds(influence_seconds)},
                           {"extraction_seconds", seconds(probe_seconds + influence_seconds)},
                           {"epoch_seconds", seconds(epoch_seconds)},
                           {"epoch_steps", epoch_steps}};
  return json::to_text(doc);
}

ExtractionBenchmark benchmark_extraction(const ClassificationConfig& config, const ClassificationData& data,
                                         const fs::path& out_dir, int64_t examples) {
  check(examples >= 1, "--benchmark: expected a positive number of examples, got {}", examples);
  std::vector<data::EncodedExample> pool;
  for (const auto* part : {&data.test, &data.validation, &data.train})
    for (const auto& e : *part)
      if (static_cast<int64_t>(pool.size()) < examples) pool.push_back(e);
  const auto runs = classification_runs(config, out_dir);
  const auto& gold = runs.front();
  ExtractionBenchmark b;
  b.examples = static_cast<int64_t>(pool.size());
  auto model = load_model(config, data, gold, config.trainer.steps());
  auto t = Clock::now();
  probes::read_classifier(*model, pool, config.probes.chunk);
  b.probe_seconds = since(t);
  t = Clock::now();
  probes::gradient_influence(*model, pool, config.probes.chunk);
  b.influence_seconds = since(t);

  // One epoch of training on the same examples, batched as in training.
  model->train();
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(config.trainer.learning_rate()));
  std::vector<int64_t> order(pool.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::mt19937_64 rng(1);
  shuffle_in_place(order, rng);
  t = Clock::now();
  for (size_t s = 0; s + static_cast<size_t>(config.batch_size) <= order.size() || s == 0;
       s += static_cast<size_t>(config.batch_size)) {
    std::vector<int64_t> indices(order.begin() + s,
                                 order.begin() + std::min(order.size(), s + static_cast<size_t>(config.batch_size)));
    auto batch = data::make_batch(pool, indices);
    optimizer.zero_grad();
    nn::AttentionClassifierImpl::loss(model->forward(batch.ids, batch.mask), batch.labels).backward();
    optimizer.step();
    ++b.epoch_steps;
  }
  b.epoch_seconds = since(t);
  return b;
}

}  // namespace attn::tasks
