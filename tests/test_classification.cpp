// The classification experiment (PAPER.md 2.3, 3, 4; issue 3): strict config
// reading, data errors (missing file, empty data, bad label, malformed line),
// the checkpoint schedule, refusal of a run folder from a different config (probe
// settings alone may differ: re-analysis),
// the report's top-p% label, the HTML page from plain data,
// and the keyword-task acceptance tests on one run set trained once per process
// (each check its own test case, so one failure does not hide the others): the
// uniform model's beta^uf ranks the keyword first in most positive examples and
// the normal model's attention agrees with it far above the shuffled baseline.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "attn/core/error.h"
#include "attn/io/config.h"
#include "attn/plot/classification_figures.h"
#include "attn/tasks/agreement_report.h"
#include "attn/tasks/classification_analysis.h"
#include "attn/tasks/classification_config.h"
#include "attn/tasks/classification_data.h"
#include "attn/tasks/classification_runs.h"
#include "attn/tasks/comparison_curve.h"
#include "temp_dir.h"

namespace {

using attn::tasks::ClassificationConfig;

ClassificationConfig parse_classification(const std::string& yaml) {
  return attn::tasks::parse_classification_config(attn::io::ConfigNode::parse(yaml, "<test>"));
}

std::string classification_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const attn::Error& e) {
    return e.what();
  }
  return "";
}

std::string tsv_config(const attn_test::TempDir& tmp, const std::string& extra = "") {
  return fmt::format("name: t\ndata: {{format: tsv, train: {}, test: {}, min_count: 1{}}}\n",
                     (tmp / "train.tsv").string(), (tmp / "test.tsv").string(), extra);
}

std::string keyword_config(int64_t steps) {
  return fmt::format(
      "name: kw\ndata: {{format: keyword, keyword: {{vocab_size: 40, num_keywords: 4, min_length: 8, max_length: 16, "
      "train: 1000, validation: 200, test: 300, seed: 3}}}}\n"
      "model: {{embedding_dim: 24, hidden_size: 24, attention_hidden: 24}}\n"
      "runs: {{normal_seeds: [20, 13], uniform_seed: 12}}\n"
      "train: {{steps: {}, batch_size: 32, learning_rate: 0.003, eval_every: 50, eval_examples: 200, "
      "checkpoint_every: 100}}\n"
      "probes: {{bow_dim: 16, bow_epochs: 5, chunk: 128}}\n",
      steps);
}

}  // namespace

TEST_CASE("classification config: defaults, schedule and strict keys", "[classify]") {
  auto c = parse_classification("data: {format: keyword}\n");
  CHECK(c.normal_seeds == std::vector<int64_t>{20, 13, 14, 15, 16, 17});
  CHECK(c.uniform_seed == 12);
  CHECK(c.train.trainer.steps() == 4000);
  CHECK(c.train.batch_size == 32);
  CHECK(c.model.embedding_dim() == 300);
  CHECK(c.data.max_test == 4000);
  CHECK(c.probes.logistic_grid.size() == 10);
  CHECK(c.probes.logistic_grid.front() == Approx(1e-5));
  CHECK(c.train.trainer.snapshot_steps().size() == 22);
  CHECK(attn::tasks::classification_snapshot_steps(600) ==
        std::vector<int64_t>{0, 10, 50, 100, 150, 200, 250, 500, 600});
  CHECK(attn::tasks::classification_snapshot_steps(30) == std::vector<int64_t>{0, 10, 30});

  CHECK(classification_error_of([] { parse_classification("data: {format: keyword}\nmodle: {}\n"); }).find("modle") != std::string::npos);
  CHECK(classification_error_of([] { parse_classification("data: {format: csv}\n"); }).find("data.format") != std::string::npos);
  CHECK(classification_error_of([] { parse_classification("data: {format: tsv}\n"); }).find("data.train") != std::string::npos);
  CHECK(classification_error_of([] { parse_classification("data: {format: keyword, validation_fraction: 1.5}\n"); })
            .find("data.validation_fraction") != std::string::npos);
  CHECK(classification_error_of([] { parse_classification("data: {format: keyword}\nruns: {normal_seeds: [1]}\n"); })
            .find("runs.normal_seeds") != std::string::npos);
  CHECK(classification_error_of([] { parse_classification("data: {format: keyword}\ntrain: {eval_every: 30, checkpoint_every: 100}\n"); })
            .find("train.checkpoint_every") != std::string::npos);
}

TEST_CASE("classification positions: all (the authors) or words", "[classify]") {
  // <bos> w1 w2 <eos> and <bos> w1 <eos>: 7 real tokens, 3 words.
  const std::vector<attn::data::EncodedExample> examples = {{{1, 5, 6, 2}, 1}, {{1, 7, 2}, 0}};
  auto all = parse_classification("data: {format: keyword}\n");
  CHECK(all.probes.positions == "all");
  CHECK(attn::tasks::agreement_mask(all, examples).sum().item<int64_t>() == 7);
  auto words = parse_classification("data: {format: keyword}\nprobes: {positions: words}\n");
  auto mask = attn::tasks::agreement_mask(words, examples);
  CHECK(mask.sum().item<int64_t>() == 3);
  CHECK(!mask[0][0].item<bool>());
  CHECK(mask[0][1].item<bool>());
  CHECK(!mask[1][2].item<bool>());
  CHECK(classification_error_of([] { parse_classification("data: {format: keyword}\nprobes: {positions: some}\n"); }).find("probes.positions") !=
        std::string::npos);
}

TEST_CASE("classification data: clear errors for missing, empty and malformed files", "[classify]") {
  attn_test::TempDir tmp("classify_data");
  const auto config = parse_classification(tsv_config(tmp));
  // Missing file.
  CHECK(classification_error_of([&] { attn::tasks::load_classification_data(config); }).find("train.tsv") != std::string::npos);
  // Empty data set.
  tmp.write("train.tsv", "");
  tmp.write("test.tsv", "1\tfine text\n");
  CHECK(classification_error_of([&] { attn::tasks::load_classification_data(config); }).find("train.tsv") != std::string::npos);
  // A label that is not 0/1, named with its line.
  tmp.write("train.tsv", "1\tgood words here\n0\tbad words here\n2\tstrange\n");
  auto message = classification_error_of([&] { attn::tasks::load_classification_data(config); });
  CHECK(message.find("train.tsv:3") != std::string::npos);
  // A line without the separator.
  tmp.write("train.tsv", "1\tgood words here\nno separator\n");
  CHECK(classification_error_of([&] { attn::tasks::load_classification_data(config); }).find("train.tsv:2") != std::string::npos);
  // Good data: split, vocabulary, <bos>/<eos>, the token cap.
  std::string lines;
  for (int i = 0; i < 20; ++i) lines += fmt::format("{}\tword{} common text here and more\n", i % 2, i % 3);
  tmp.write("train.tsv", lines);
  const auto capped = parse_classification(tsv_config(tmp, ", max_tokens: 4, validation_fraction: 0.25"));
  auto data = attn::tasks::load_classification_data(capped);
  CHECK(data.train.size() == 15);
  CHECK(data.validation.size() == 5);
  CHECK(data.test.size() == 1);
  for (const auto& e : data.train) {
    CHECK(e.ids.size() == 4);
    CHECK(e.ids.front() == attn::data::Vocabulary::kBos);
    CHECK(e.ids.back() == attn::data::Vocabulary::kEos);
  }
  CHECK(data.vocab.contains("common"));
}

TEST_CASE("agreement report: the table names the configured top-p%", "[classify]") {
  CHECK(attn::tasks::top_percent_label(5) == "top-5%");
  CHECK(attn::tasks::top_percent_label(2.5) == "top-2.5%");
  CHECK(attn::tasks::top_percent_label(10) == "top-10%");
  CHECK(attn::tasks::top_percent_label(100) == "top-100%");
  CHECK(attn::tasks::top_percent_label(1.0 / 3.0) == "top-0.333333%");
  attn::tasks::ClassificationAnalysis a;
  a.rows.push_back({"alpha_beta_uf", "A(alpha, beta^uf)", 0.5, 0.25, 10, 0.75, "uniform run"});
  auto header = [&](double percent) {
    a.percent = percent;
    const std::string table = attn::tasks::agreement_markdown(a);
    return table.substr(0, table.find('\n'));
  };
  CHECK(header(5) == "| quantity | A (top-5% match) | Kendall tau-b | checkpoint | xi (val. acc.) |");
  CHECK(header(2.5) == "| quantity | A (top-2.5% match) | Kendall tau-b | checkpoint | xi (val. acc.) |");
  CHECK(header(10) == "| quantity | A (top-10% match) | Kendall tau-b | checkpoint | xi (val. acc.) |");
  // The default config reports the paper's 5%.
  CHECK(parse_classification("data: {format: keyword}\n").probes.percent == 5.0);
}

TEST_CASE("probe HTML page: drawn from plain data (texts, maps, numbers)", "[classify]") {
  attn::plot::ProbePage page;
  page.name = "t<1>";
  page.gold_step = 30;
  page.uniform_step = 10;
  page.agreement = 0.5;
  page.a_hat = 0.125;
  page.test_examples = 3;
  page.texts = {{0, {"a", "b", "c", "d", "e", "f"}},
                {1, {"x", "y", "z", "w", "v"}},
                {1, {"o", "p", "q", "r", "s", "t", "u"}}};  // 7 words: longer than the 6 shown
  // Maps over <bos> w1 .. wn <eos>: word w is column w + 1.
  page.alpha = torch::arange(9, torch::kFloat32).repeat({3, 1});
  page.beta_uf = page.beta_px = page.delta = -page.alpha;
  page.gold_probability = torch::tensor({0.25, 0.75, 0.5});
  const std::string html = attn::plot::probe_html(page, 3, 6);
  CHECK(html.find("<title>t&lt;1&gt;: attention and probes</title>") != std::string::npos);
  CHECK(html.find("run A at step 30") != std::string::npos);
  CHECK(html.find("uniform-attention run at step 10") != std::string::npos);
  CHECK(html.find("A(alpha, beta<sup>uf</sup>) = 0.500, A-hat = 0.125 on 3 test examples") != std::string::npos);
  // Labels alternate (1 first) among texts of at most 6 words, then the rest, cut at 6 words.
  const auto first = html.find("<h2>test example 1 &middot; gold label 1 &middot; run A: P(y=1) = 0.750</h2>");
  const auto second = html.find("<h2>test example 0 &middot; gold label 0 &middot; run A: P(y=1) = 0.250</h2>");
  const auto third = html.find("<h2>test example 2 &middot; gold label 1 &middot; run A: P(y=1) = 0.500"
                               " &middot; first 6 of 7 words</h2>");
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  REQUIRE(third != std::string::npos);
  CHECK(first < second);
  CHECK(second < third);
  CHECK(html.find(">t</span>") != std::string::npos);
  CHECK(html.find(">u</span>") == std::string::npos);
  // alpha at word "x" is column 1 (value 1), shaded by 1 / 5 (the largest of its 5 words).
  CHECK(html.find("<span title=\"1\" style=\"background:rgba(255,140,0,0.200)\">x</span>") != std::string::npos);
}

namespace {

attn::train::RunContext quiet_test_context() {
  attn::train::RunContext context;
  context.progress = false;
  context.command_line = {"test"};
  return context;
}

/// Trains every run of the set in `dir`; returns the set's data.
attn::tasks::ClassificationData train_run_set(const ClassificationConfig& config, const std::filesystem::path& dir) {
  auto data = attn::tasks::prepare_run_set(config, dir, false);
  for (const auto& run : attn::tasks::classification_runs(config, dir))
    attn::tasks::train_classification_run(config, data, run, quiet_test_context());
  return data;
}

/// The keyword task's run set (two normal runs and a uniform run, 300 steps),
/// trained once per process and shared by the acceptance tests below; its
/// analysis is made on first use. Tests that write into a run set work on a
/// copy (copy_of_run_set).
struct KeywordRunSet {
  attn_test::TempDir tmp{"classify_keyword"};
  ClassificationConfig config = parse_classification(keyword_config(300));
  attn::tasks::ClassificationData data = train_run_set(config, tmp.path());

  const attn::tasks::ClassificationAnalysis& analysis() const {
    if (!analysis_) analysis_ = attn::tasks::analyze_run_set(config, data, tmp.path(), {false});
    return *analysis_;
  }

 private:
  mutable std::optional<attn::tasks::ClassificationAnalysis> analysis_;
};

const KeywordRunSet& keyword_run_set() {
  static const KeywordRunSet set;
  return set;
}

/// A private copy of the shared run set's folder, for a test that changes it.
std::unique_ptr<attn_test::TempDir> copy_of_run_set(const std::string& label) {
  auto copy = std::make_unique<attn_test::TempDir>(label);
  std::filesystem::copy(keyword_run_set().tmp.path(), copy->path(), std::filesystem::copy_options::recursive);
  return copy;
}

}  // namespace

TEST_CASE("keyword task: beta^uf and attention rank the keyword first (acceptance)", "[classify][slow]") {
  const auto& set = keyword_run_set();
  const auto& analysis = set.analysis();
  // beta^uf's top word is the keyword in most positive examples.
  const auto word_mask = analysis.mask;
  auto beta_uf = analysis.beta_uf.masked_fill(word_mask.logical_not(), -1e9);
  auto alpha = analysis.alpha.masked_fill(word_mask.logical_not(), -1e9);
  int64_t positives = 0, beta_hits = 0, alpha_hits = 0;
  for (int64_t i = 0; i < static_cast<int64_t>(set.data.test.size()); ++i) {
    const int64_t salient = set.data.test_salient[static_cast<size_t>(i)];
    if (salient < 0) continue;
    ++positives;
    beta_hits += beta_uf[i].argmax().item<int64_t>() == salient;
    alpha_hits += alpha[i].argmax().item<int64_t>() == salient;
  }
  REQUIRE(positives > 100);
  INFO("beta^uf top-1 on keyword: " << beta_hits << "/" << positives << ", alpha: " << alpha_hits);
  CHECK(beta_hits > 0.8 * positives);
  CHECK(alpha_hits > 0.8 * positives);
}

TEST_CASE("keyword task: A(alpha, beta^uf) far above the shuffled baseline (acceptance)", "[classify][slow]") {
  const auto& analysis = keyword_run_set().analysis();
  REQUIRE(analysis.rows.size() == 5);
  CHECK(analysis.rows[0].key == "alpha_beta_uf");
  INFO(attn::tasks::agreement_markdown(analysis));
  CHECK(analysis.percent == 5.0);
  CHECK(analysis.rows[0].agreement > analysis.a_hat + 0.3);
  CHECK(analysis.xi_star > 0.95);
  CHECK(analysis.steps.size() == analysis.mean_agreement.size());
}

TEST_CASE("keyword task: comparison curves computed elsewhere (through CSV) give the same analysis",
          "[classify][slow]") {
  // As attn-analyze's workers do: each comparison run's curve through a CSV file.
  const auto& set = keyword_run_set();
  const auto& analysis = set.analysis();
  attn_test::TempDir curves_dir("classify_curves");
  attn::tasks::AnalysisOptions elsewhere;
  elsewhere.progress = false;
  elsewhere.comparisons = [&](const std::vector<attn::tasks::ClassificationRun>& runs, const torch::Tensor& gold) {
    std::vector<attn::tasks::ComparisonCurve> curves;
    for (const auto& run : runs) {
      const auto curve = attn::tasks::comparison_curve(set.config, set.data, run, analysis.steps, gold);
      auto csv = curves_dir.write("curve_" + run.name + ".csv",
                                  attn::tasks::comparison_curve_csv(curve, analysis.steps));
      curves.push_back(attn::tasks::read_comparison_curve_csv(csv, analysis.steps));
    }
    return curves;
  };
  const auto again = attn::tasks::analyze_run_set(set.config, set.data, set.tmp.path(), elsewhere);
  CHECK(again.comparison_runs == analysis.comparison_runs);
  CHECK(again.comparison_agreement == analysis.comparison_agreement);
  CHECK(again.comparison_accuracy == analysis.comparison_accuracy);
  CHECK(attn::tasks::agreement_csv(again) == attn::tasks::agreement_csv(analysis));
}

TEST_CASE("comparison curve CSV: a damaged file names the line and column", "[classify]") {
  attn_test::TempDir tmp("classify_damaged_curve");
  const std::vector<int64_t> steps = {0, 10};
  auto damaged = tmp.write("damaged.csv", "step,accuracy,agreement\n0,0.5,0.1\n10,x,0.2\n");
  CHECK(classification_error_of([&] { attn::tasks::read_comparison_curve_csv(damaged, steps); })
            .find("damaged.csv:3: column 'accuracy'") != std::string::npos);
}

TEST_CASE("keyword task: a run set of another config is refused by attn-classify and attn-analyze alike",
          "[classify][slow]") {
  const auto tmp = copy_of_run_set("classify_refuse");
  const auto& config = keyword_run_set().config;
  const auto other = parse_classification(keyword_config(200));
  CHECK(classification_error_of([&] { attn::tasks::prepare_run_set(other, tmp->path(), true); }).find("different config") !=
        std::string::npos);
  CHECK(classification_error_of([&] { attn::tasks::prepare_run_set(config, tmp->path(), false); }).find("--resume") !=
        std::string::npos);
  CHECK(classification_error_of([&] { attn::tasks::read_run_set_config(tmp->path(), &other); }).find("different config") !=
        std::string::npos);
  CHECK(classification_error_of([&] { attn::tasks::read_run_set_config(*tmp / "nothing"); }).find("no config.yaml") !=
        std::string::npos);
}

TEST_CASE("keyword task: other probe settings share the run set (re-analysis), a run of another config is named",
          "[classify][slow]") {
  const auto tmp = copy_of_run_set("classify_reanalysis");
  const auto& config = keyword_run_set().config;
  const auto other = parse_classification(keyword_config(200));
  // Other probe settings share the run set (re-analysis without retraining);
  // the analysis then uses the given probes.
  auto probes_only = keyword_config(300);
  probes_only.replace(probes_only.find("bow_epochs: 5"), 13, "bow_epochs: 7");
  const auto reanalysis = parse_classification(probes_only);
  CHECK(reanalysis.resolved_yaml != config.resolved_yaml);
  CHECK(attn::tasks::same_training(reanalysis.resolved_yaml, config.resolved_yaml));
  CHECK_FALSE(attn::tasks::same_training(other.resolved_yaml, config.resolved_yaml));
  CHECK(attn::tasks::read_run_set_config(tmp->path(), &reanalysis).probes.bow_epochs == 7);
  CHECK(attn::tasks::read_run_set_config(tmp->path()).probes.bow_epochs == 5);
  CHECK_NOTHROW(attn::tasks::prepare_run_set(reanalysis, tmp->path(), true));
  // One run folder made by another config: the error names that folder.
  const auto run_b = attn::tasks::classification_runs(config, tmp->path())[1];
  tmp->write(run_b.dir.lexically_relative(tmp->path()).string() + "/config.yaml", other.resolved_yaml);
  CHECK(classification_error_of([&] { attn::tasks::read_run_set_config(tmp->path()); }).find(run_b.dir.string()) !=
        std::string::npos);
}
