// attn-classify: trains the run set of a classification experiment (PAPER.md
// sections 2.3 and 4): normal runs A-F (seeds 20, 13, 14, 15, 16, 17 by
// default; A gives the gold attention) and one uniform-attention run (seed
// 12), side by side in worker processes on CPU, each resumable from its
// checkpoint, with weight snapshots at the checkpoint schedule of the spec.
// attn-analyze then reads the run set.
//
//   attn-classify --config experiments/classification/spamassassin.yaml --out runs/spamassassin
#include <fmt/format.h>

#include "attn/cli/command_line.h"
#include "attn/cli/run_set_launch.h"
#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/tasks/classification_config.h"
#include "attn/tasks/classification_runs.h"

namespace fs = std::filesystem;
namespace tasks = attn::tasks;

namespace {

int app_main(int argc, char** argv) {
  attn::cli::CommandLine cli("attn-classify", "Attention classifier (Snell et al. Section 3): trains the normal and "
                                              "uniform-attention runs of an experiment config into one run-set folder.",
                             attn::cli::kTrainingApp);
  cli.options().add_options()
      ("only", "train only these runs (A, B, ..., uniform; comma-separated)", cxxopts::value<std::vector<std::string>>())
      ("only-run", "train (or resume) one run (A, B, ..., uniform) of the run set in --out, which a --launcher "
                   "slurm submission (or --dry-run) or an earlier run of the set prepared; for launchers",
       cxxopts::value<std::string>())
      ("summarize", "write the cost summary (cost.md) of the run set in --out; trains nothing")
      ("worker-run", "(internal) train one run of the set in --out", cxxopts::value<std::string>());
  if (!cli.parse(argc, argv)) return 0;
  const auto& common = cli.common();
  if (cli.has("summarize")) {
    attn::check(!common.out.empty(), "--summarize: expected --out, the run set to summarize");
    tasks::write_run_set_cost(tasks::read_run_set_config(common.out), common.out);
    fmt::print("cost (compute and active wall time over every invocation): {}\n", (common.out / "cost.md").string());
    return 0;
  }
  if (cli.has("worker-run") || cli.has("only-run")) {  // a worker reads the run set its parent prepared (config and vocabulary)
    const auto config = tasks::read_run_set_config(common.out);
    const auto data = tasks::load_run_set_data(config, common.out);
    const auto runs = tasks::classification_runs(config, common.out);
    const int threads = attn::configure_threads(common.threads);
    tasks::train_classification_run(config, data, tasks::find_run(runs, cli.args()[cli.has("only-run") ? "only-run" : "worker-run"].as<std::string>(), cli.has("only-run") ? "--only-run" : "--worker-run"),
                                     common.run_context(threads));
    return 0;
  }
  attn::check(!common.configs.empty(), "--config: expected an experiment YAML (see --help)");
  const auto config = tasks::parse_classification_config(common.load_config(common.configs[0]));
  if (common.print_config) {
    attn::cli::print_configs({config.resolved_yaml});
    return 0;
  }
  const fs::path out_dir = common.out.empty() ? fs::path("runs/" + config.name) : common.out;
  // Every flag is checked before anything is written into --out.
  auto runs = tasks::classification_runs(config, out_dir);
  if (cli.has("only")) {
    std::vector<tasks::ClassificationRun> selected;
    for (const auto& name : cli.args()["only"].as<std::vector<std::string>>())
      selected.push_back(tasks::find_run(runs, name, "--only"));
    runs = selected;
  }
  const int total_threads = attn::configure_threads(common.threads);
  const auto data = tasks::prepare_run_set(config, out_dir, common.resume || common.slurm);
  fmt::print(stderr, "[attn-classify] {}: {}\n", config.name, data.describe());
  auto pending = attn::cli::pending_runs(
      config.name, runs, [](const tasks::ClassificationRun& run) { return tasks::run_finished(run); },
      [&](const tasks::ClassificationRun& run, const attn::train::RunContext& context) {
        tasks::train_classification_run(config, data, run, context);
      });
  pending.write_cost = [&] { tasks::write_run_set_cost(config, out_dir); };
  return attn::cli::launch_pending_runs(common, "attn-classify", out_dir, pending, total_threads);
}

}  // namespace

int main(int argc, char** argv) {
  attn::ensure_fast_runtime(argc, argv);
  return attn::run_app("attn-classify", [&] { return app_main(argc, argv); });
}
