// attn-analyze: reads a finished classification run set (attn-classify) and
// writes PAPER.md section 4's agreement table (Markdown + CSV), the agreement
// curve figure, and an HTML page of sample test texts shaded by alpha,
// beta^uf, beta^px and Delta. With --benchmark N it also times probe and
// influence extraction over N examples against one epoch of training on them.
// The comparison runs (B..), most of the cost, are read by --jobs worker
// processes of one thread while the parent reads run A and the uniform run.
//
//   attn-analyze --runs runs/spamassassin [--out runs/spamassassin/analysis]
#include <cxxopts.hpp>

#include <chrono>
#include <filesystem>
#include <optional>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/checkpoint.h"
#include "attn/io/files.h"
#include "attn/io/process_pool.h"
#include "attn/io/run_record.h"
#include "attn/plot/classification_figures.h"
#include "attn/tasks/agreement_report.h"
#include "attn/tasks/classification_analysis.h"
#include "attn/tasks/classification_figure_data.h"
#include "attn/tasks/classification_runs.h"
#include "attn/tasks/comparison_curve.h"
#include "attn/tasks/extraction_benchmark.h"

namespace fs = std::filesystem;

namespace {

constexpr const char* kGoldAlpha = "gold_alpha.pt";

// Worker: one comparison run's curve against the gold attention the parent
// left in `work`, written to work/<run>.csv.
int comparison_worker(const attn::tasks::ClassificationConfig& config, const fs::path& runs_dir,
                      const std::string& run_name, const fs::path& work, bool quiet) {
  const auto data = attn::tasks::load_run_set_data(config, runs_dir);
  const auto runs = attn::tasks::classification_runs(config, runs_dir);
  const auto& run = attn::tasks::find_run(runs, run_name);
  const auto steps = config.train.trainer.snapshot_steps();
  const auto start = std::chrono::steady_clock::now();
  const auto curve = attn::tasks::comparison_curve(config, data, run, steps,
                                                   attn::io::load_tensor(work / kGoldAlpha, "gold_alpha"));
  attn::io::write_file_atomic(work / (run.name + ".csv"), attn::tasks::comparison_curve_csv(curve, steps));
  if (!quiet)
    fmt::print(stderr, "[attn-analyze worker {}] {} snapshots read in {:.0f}s\n", run.name, steps.size(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return 0;
}

// Reads the comparison runs in `jobs` worker processes of one thread.
attn::tasks::ComparisonCurves comparisons_in_workers(const fs::path& runs_dir, const fs::path& out_dir,
                                                     const std::optional<std::string>& config_path, int jobs,
                                                     bool quiet, const std::vector<int64_t>& steps) {
  return [=](const std::vector<attn::tasks::ClassificationRun>& runs, const torch::Tensor& gold_alpha) {
    const fs::path work = out_dir / "comparison-work";
    std::vector<attn::tasks::ComparisonCurve> curves;
    try {
      attn::io::save_tensor(work / kGoldAlpha, "gold_alpha", gold_alpha);
      std::vector<std::vector<std::string>> worker_args;
      for (const auto& run : runs) {
        worker_args.push_back({"--runs", runs_dir.string(), "--worker-comparison", run.name, "--worker-dir",
                               work.string(), "--threads", "1"});
        if (config_path) worker_args.back().insert(worker_args.back().end(), {"--config", *config_path});
        if (quiet) worker_args.back().push_back("--quiet");
      }
      const auto codes = attn::io::run_self_in_parallel(worker_args, jobs, "attn-analyze");
      for (size_t k = 0; k < runs.size(); ++k) {
        attn::check(codes[k] == 0, "{}: worker reading run {} failed (exit {})", runs_dir.string(), runs[k].name,
                    codes[k]);
        curves.push_back(attn::tasks::read_comparison_curve_csv(work / (runs[k].name + ".csv"), steps));
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

int app_main(int argc, char** argv) {
  cxxopts::Options cli("attn-analyze", "Agreement between attention and probes over a classification run set "
                                       "(Snell et al. Sections 3-4).");
  cli.add_options()
      ("r,runs", "run-set folder written by attn-classify", cxxopts::value<std::string>())
      ("c,config", "optional: the experiment YAML; its training settings must match the run set's, its probes "
                   "section is used (default: the run set's config.yaml)",
       cxxopts::value<std::string>())
      ("o,out", "output folder (default <runs>/analysis)", cxxopts::value<std::string>()->default_value(""))
      ("benchmark", "also time extraction vs one training epoch over this many examples (0 = skip)",
       cxxopts::value<int64_t>()->default_value("0"))
      ("threads", "intra-op threads (0 = all cores)", cxxopts::value<int>()->default_value("0"))
      ("jobs", "comparison runs read at once in worker processes of one thread (0 = one per thread, 1 = in "
               "this process)",
       cxxopts::value<int>()->default_value("0"))
      ("quiet", "no progress lines")
      ("worker-comparison", "(internal) read one comparison run", cxxopts::value<std::string>())
      ("worker-dir", "(internal) where the parent left the gold attention", cxxopts::value<std::string>())
      ("h,help", "show this help");
  auto args = cli.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}\n", cli.help());
    return 0;
  }
  attn::check(args.count("runs") > 0, "--runs: expected the run-set folder written by attn-classify");
  const fs::path runs_dir = args["runs"].as<std::string>();
  std::optional<attn::tasks::ClassificationConfig> expected;
  if (args.count("config")) expected = attn::tasks::load_classification_config(args["config"].as<std::string>());
  const auto config = attn::tasks::read_run_set_config(runs_dir, expected ? &*expected : nullptr);
  const int threads = attn::configure_threads(args["threads"].as<int>());
  const bool quiet = args.count("quiet") > 0;
  std::optional<std::string> config_path;
  if (args.count("config")) config_path = args["config"].as<std::string>();
  if (args.count("worker-comparison")) {
    attn::check(args.count("worker-dir") > 0, "--worker-comparison: expected --worker-dir");
    return comparison_worker(config, runs_dir, args["worker-comparison"].as<std::string>(),
                             args["worker-dir"].as<std::string>(), quiet);
  }
  int jobs = args["jobs"].as<int>();
  attn::check(jobs >= 0, "--jobs: expected 0 (one per thread) or a positive count, got {}", jobs);
  if (jobs == 0) jobs = threads;
  const fs::path out_dir = args["out"].as<std::string>().empty() ? runs_dir / "analysis"
                                                                   : fs::path(args["out"].as<std::string>());
  const auto data = attn::tasks::load_run_set_data(config, runs_dir);
  fmt::print(stderr, "[attn-analyze] {}: {} ({} thread(s), comparison runs in {})\n", config.name, data.describe(),
             threads, jobs > 1 ? fmt::format("{} worker processes", jobs) : std::string("this process"));
  attn::tasks::AnalysisOptions options;
  options.progress = !quiet;
  if (jobs > 1)
    options.comparisons = comparisons_in_workers(runs_dir, out_dir, config_path, jobs, quiet,
                                                 config.train.trainer.snapshot_steps());
  const auto analysis = attn::tasks::analyze_run_set(config, data, runs_dir, options);
  // The analysis records its own config: with --config its probes may differ from the run set's.
  attn::io::ensure_directory(out_dir);
  attn::io::write_run_record(out_dir, {expected ? expected->resolved_yaml : config.resolved_yaml, config.uniform_seed,
                                       attn::describe_device(torch::kCPU, threads), threads,
                                       std::vector<std::string>(argv, argv + argc), config.name + " analysis"});
  const std::string table = attn::tasks::agreement_markdown(analysis);
  attn::io::write_file_atomic(out_dir / "agreement.md", fmt::format("# {}: agreement table\n\n{}", config.name, table));
  attn::io::write_file_atomic(out_dir / "agreement.csv", attn::tasks::agreement_csv(analysis));
  attn::io::write_file_atomic(out_dir / "agreement_curve.csv", attn::tasks::agreement_curve_csv(analysis));
  attn::io::write_file_atomic(out_dir / "probes.html",
                              attn::plot::probe_html(attn::tasks::probe_page(analysis, data),
                                                     config.probes.html_examples, config.probes.html_max_tokens));
  fmt::print("{}\n", table);
  if (attn::plot::render_agreement_figure(out_dir / "agreement.png", out_dir / "agreement_curve.csv",
                                          attn::tasks::agreement_figure(analysis)))
    fmt::print("figure: {}\n", (out_dir / "agreement.png").string());
  fmt::print("html: {}\nanalysis took {:.1f} s\n", (out_dir / "probes.html").string(), analysis.seconds);

  const int64_t benchmark = args["benchmark"].as<int64_t>();
  if (benchmark > 0) {
    const auto b = attn::tasks::benchmark_extraction(config, data, runs_dir, benchmark);
    attn::io::write_file_atomic(out_dir / "benchmark.json", b.json());
    fmt::print("benchmark over {} examples: probes {:.2f} s + influence {:.2f} s = {:.2f} s; one training epoch "
               "({} steps) {:.2f} s\n",
               b.examples, b.probe_seconds, b.influence_seconds, b.probe_seconds + b.influence_seconds,
               b.epoch_steps, b.epoch_seconds);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  attn::ensure_fast_runtime(argc, argv);
  return attn::run_app("attn-analyze", [&] { return app_main(argc, argv); });
}
