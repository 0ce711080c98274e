// attn-analyze: reads a finished run set and writes PAPER.md section 4's
// agreement table (Markdown + CSV) and the agreement curve figure, for either
// kind of run set:
//   classification (attn-classify): plus an HTML page of sample test texts
//     shaded by alpha, beta^uf, beta^px and Delta. With --benchmark N it also
//     times probe and influence extraction over N examples against one epoch
//     of training on them. The comparison runs (B..), most of the cost, are
//     read by --jobs worker processes of one thread while the parent reads
//     run A and the uniform run.
//   translation (attn-translate): one row per (pair, target token); plus BLEU,
//     token accuracy and perplexity over checkpoints and an HTML page of
//     source x target heat maps with the beam-search output.
//
//   attn-analyze --runs runs/spamassassin [--out runs/spamassassin/analysis]
//   attn-analyze --runs runs/spamassassin --set probes.percent=10 --out /tmp/top10
//   attn-analyze --runs runs/gettext-en-de --set analysis.positions=words
//   attn-analyze --runs runs/gettext-en-de --read-available all   (while it trains)
// A translation analysis keeps what each snapshot gave in <out>/readings, so a
// stopped one resumes and a re-analysis with other table settings is quick.
#include <fmt/format.h>

#include <optional>
#include <sstream>

#include "attn/cli/command_line.h"
#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/files.h"
#include "attn/io/jobs.h"
#include "attn/io/run_record.h"
#include "attn/tasks/folder_kind.h"
#include "attn/tasks/agreement_report.h"
#include "attn/tasks/classification_analysis.h"
#include "attn/tasks/classification_runs.h"
#include "attn/tasks/comparison_curve.h"
#include "attn/tasks/extraction_benchmark.h"
#include "attn/tasks/translation_analysis.h"
#include "attn/tasks/translation_report.h"
#include "attn/tasks/translation_runs.h"

namespace fs = std::filesystem;
namespace tasks = attn::tasks;

namespace {

void record_analysis(const attn::cli::CommonOptions& common, const fs::path& out_dir, const std::string& config_yaml,
                     int64_t seed, const std::string& device, int threads, const std::string& experiment) {
  attn::io::ensure_directory(out_dir);
  attn::io::RunRecord record;
  record.config_yaml = config_yaml;
  record.seed = seed;
  record.device = device;
  record.threads = threads;
  record.command_line = common.command_line;
  record.experiment = experiment;
  record.overrides = common.overrides;
  attn::io::write_run_record(out_dir, record);
}

int analyze_translation(const attn::cli::CommandLine& cli, const fs::path& runs_dir) {
  const auto& common = cli.common();
  attn::check(!cli.has("benchmark") || cli.args()["benchmark"].as<int64_t>() == 0,
              "--benchmark: only for classification run sets");
  std::optional<tasks::TranslationConfig> expected;
  if (!common.configs.empty() || !common.overrides.empty())
    expected = tasks::parse_translation_config(
        common.load_config(common.configs.empty() ? (runs_dir / "config.yaml").string() : common.configs[0]));
  const auto config = tasks::read_translation_run_set_config(runs_dir, expected ? &*expected : nullptr);
  if (common.print_config) {
    attn::cli::print_configs({expected ? expected->resolved_yaml : config.resolved_yaml});
    return 0;
  }
  const int threads = attn::configure_threads(common.threads);
  const fs::path out_dir = common.out.empty() ? runs_dir / "analysis" : common.out;
  const auto data = tasks::load_translation_run_set_data(config, runs_dir);
  fmt::print(stderr, "[attn-analyze] {}: {} on {}\n", config.name, data.describe(),
             attn::describe_device(common.device, threads));
  tasks::TranslationAnalysisOptions options;
  options.progress = !common.quiet;
  options.device = common.device;
  options.readings = out_dir / "readings";
  if (cli.has("read-available")) {
    std::vector<std::string> only;  // empty: all
    std::stringstream names(cli.args()["read-available"].as<std::string>());
    for (std::string name; std::getline(names, name, ',');)
      if (name != "all") only.push_back(name);
    tasks::read_available_translation_snapshots(config, data, runs_dir, options, only);
    return 0;
  }
  const auto analysis = tasks::analyze_translation_run_set(config, data, runs_dir, options);
  record_analysis(common, out_dir, expected ? expected->resolved_yaml : config.resolved_yaml, config.uniform_seed,
                  attn::describe_device(common.device, threads), threads, config.name + " analysis");
  tasks::write_translation_report(config, analysis, out_dir);
  fmt::print("analysis took {:.1f} s\n", analysis.seconds);
  return 0;
}

int app_main(int argc, char** argv) {
  attn::cli::CommandLine cli("attn-analyze", "Agreement between attention and probes over a classification or "
                                             "translation run set (Snell et al. Sections 3-4), written to "
                                             "<runs>/analysis or --out. --config or --set re-analyse with other "
                                             "probes / analysis settings; the training settings must match the "
                                             "run set's.",
                             attn::cli::kConfig | attn::cli::kOut | attn::cli::kOverrides | attn::cli::kDevice |
                                 attn::cli::kThreads | attn::cli::kJobs | attn::cli::kQuiet);
  cli.options().add_options()
      ("r,runs", "run-set folder written by attn-classify or attn-translate", cxxopts::value<std::string>())
      ("benchmark", "also time extraction vs one training epoch over this many examples (0 = skip)",
       cxxopts::value<int64_t>()->default_value("0"))
      ("read-available", "translation: read the snapshots that exist now (runs may still train) of these runs "
                         "(all, or names such as A,B,uniform) into <analysis folder>/readings and exit; the "
                         "analysis then reads only the rest",
       cxxopts::value<std::string>())
      ("worker-comparison", "(internal) read one comparison run", cxxopts::value<std::string>())
      ("worker-dir", "(internal) where the parent left the gold attention", cxxopts::value<std::string>());
  if (!cli.parse(argc, argv)) return 0;
  const auto& common = cli.common();
  attn::check(cli.has("runs"), "--runs: expected the run-set folder written by attn-classify or attn-translate");
  const fs::path runs_dir = cli.args()["runs"].as<std::string>();
  if (tasks::is_translation_run_set(runs_dir)) return analyze_translation(cli, runs_dir);
  attn::check(!cli.has("read-available"), "--read-available: only for translation run sets");
  tasks::check_folder_kind(runs_dir, "attn-analyze", "classification",
                           "the run sets of attn-classify and attn-translate");
  attn::check(!common.device.is_cuda(), "--device: the classification analysis runs on the CPU");

  // The run set's own config unless --config or --set asks for other probes settings.
  std::optional<tasks::ClassificationConfig> expected;
  if (!common.configs.empty() || !common.overrides.empty())
    expected = tasks::parse_classification_config(
        common.load_config(common.configs.empty() ? (runs_dir / "config.yaml").string() : common.configs[0]));
  const auto config = tasks::read_run_set_config(runs_dir, expected ? &*expected : nullptr);
  if (common.print_config) {
    attn::cli::print_configs({expected ? expected->resolved_yaml : config.resolved_yaml});
    return 0;
  }
  const int threads = attn::configure_threads(common.threads);
  if (cli.has("worker-comparison")) {
    attn::check(cli.has("worker-dir"), "--worker-comparison: expected --worker-dir");
    tasks::run_comparison_worker(config, runs_dir, cli.args()["worker-comparison"].as<std::string>(),
                                 cli.args()["worker-dir"].as<std::string>(), !common.quiet);
    return 0;
  }
  const auto plan = attn::io::plan_jobs(false, threads, common.jobs);
  const fs::path out_dir = common.out.empty() ? runs_dir / "analysis" : common.out;
  const auto data = tasks::load_run_set_data(config, runs_dir);
  fmt::print(stderr, "[attn-analyze] {}: {} ({} thread(s), comparison runs in {})\n", config.name, data.describe(),
             threads, plan.jobs > 1 ? fmt::format("{} worker processes", plan.jobs) : std::string("this process"));

  tasks::AnalysisOptions options;
  options.progress = !common.quiet;
  if (plan.jobs > 1)
    options.comparisons = tasks::comparison_curves_in_workers(
        out_dir / "comparison-work", plan.jobs, config.train.trainer.snapshot_steps(), "attn-analyze",
        [&](const std::string& run, const fs::path& work) {
          std::vector<std::string> args = {"--runs", runs_dir.string(), "--worker-comparison", run,
                                            "--worker-dir", work.string()};
          if (!common.configs.empty()) args.insert(args.end(), {"--config", common.configs[0]});
          for (auto& flag : common.worker_flags(1)) args.push_back(std::move(flag));
          return args;
        });
  const auto analysis = tasks::analyze_run_set(config, data, runs_dir, options);

  // The analysis records its own config: with --config or --set its probes may differ from the run set's.
  record_analysis(common, out_dir, expected ? expected->resolved_yaml : config.resolved_yaml, config.uniform_seed,
                  attn::describe_device(torch::kCPU, threads), threads, config.name + " analysis");
  tasks::write_agreement_report(config, data, analysis, out_dir);
  fmt::print("analysis took {:.1f} s\n", analysis.seconds);

  const int64_t benchmark = cli.args()["benchmark"].as<int64_t>();
  attn::check(benchmark >= 0, "--benchmark: expected a count of examples >= 0, got {}", benchmark);
  if (benchmark > 0) {
    const auto b = tasks::benchmark_extraction(config, data, runs_dir, benchmark);
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
