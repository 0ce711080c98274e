// attn-analyze: reads a finished classification run set (attn-classify) and
// writes PAPER.md section 4's agreement table (Markdown + CSV), the agreement
// curve figure, and an HTML page of sample test texts shaded by alpha,
// beta^uf, beta^px and Delta. With --benchmark N it also times probe and
// influence extraction over N examples against one epoch of training on them.
//
//   attn-analyze --runs runs/spamassassin [--out runs/spamassassin/analysis]
#include <cxxopts.hpp>

#include <filesystem>
#include <optional>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/files.h"
#include "attn/io/run_record.h"
#include "attn/plot/classification_figures.h"
#include "attn/tasks/classification_analysis.h"

namespace fs = std::filesystem;

namespace {

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
      ("quiet", "no progress lines")
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
  const fs::path out_dir = args["out"].as<std::string>().empty() ? runs_dir / "analysis"
                                                                   : fs::path(args["out"].as<std::string>());
  const auto data = attn::tasks::load_run_set_data(config, runs_dir);
  fmt::print(stderr, "[attn-analyze] {}: {} ({} thread(s))\n", config.name, data.describe(), threads);
  const auto analysis = attn::tasks::analyze_run_set(config, data, runs_dir, {!args.count("quiet")});
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
                              attn::plot::probe_html(analysis, data, config.probes.html_examples,
                                                     config.probes.html_max_tokens));
  fmt::print("{}\n", table);
  if (attn::plot::render_agreement_figure(out_dir / "agreement.png", out_dir / "agreement_curve.csv", analysis))
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
