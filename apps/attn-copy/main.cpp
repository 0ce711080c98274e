// attn-copy: the copy experiment of PAPER.md 4 / 5 ("copy", "copy-uniform",
// curriculum). Trains N seeds of one or more configs (side by side in worker
// processes on CPU; --batch-runs R: R seeds of a config per process as one
// batched model, the default on CUDA), prints per-seed and overall
// summaries, and renders the learning curves of token, attention and KTIW accuracy.
//
//   attn-copy --config experiments/copy/permutation40.yaml
//             --config experiments/copy/subset40of60.yaml --out runs/copy
#include <fmt/format.h>

#include "attn/cli/command_line.h"
#include "attn/cli/copy_launch.h"
#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/tasks/batched_copy.h"
#include "attn/tasks/copy_experiment.h"

namespace fs = std::filesystem;
namespace tasks = attn::tasks;

namespace {

int app_main(int argc, char** argv) {
  attn::cli::CommandLine cli("attn-copy", "Copy task (Snell et al. Section 4): trains seeds of one or more configs "
                                          "and reports token, attention and KTIW accuracy.",
                             attn::cli::kTrainingApp | attn::cli::kConfigs);
  cli.options().add_options()
      ("seeds", "number of seeds (the same as --set seeds=N; default: the config's)", cxxopts::value<int64_t>())
      ("only-run", "train (or resume) one run of the set in --out: <config name>/seed_<NN>, its folder there; "
                   "for launchers (Slurm, GNU parallel, a shell loop)", cxxopts::value<std::string>())
      ("summarize", "write the summary and figure of the set in --out from the finished runs; trains nothing")
      ("batch-runs", "runs of one config trained as one batched model per process (default: 1 on CPU, "
                     "where worker processes are as fast; every pending run up to 40 on CUDA)",
       cxxopts::value<int64_t>())
      ("worker-seed", "(internal) train one seed into --out", cxxopts::value<int64_t>())
      ("worker-seeds", "(internal) train these comma-separated seeds batched into --out/seed_NN",
       cxxopts::value<std::string>());
  if (!cli.parse(argc, argv)) return 0;
  if (cli.has("seeds")) {  // bounded with the config's seeds (parse_copy_experiment), as --set seeds=N
    const int64_t seeds = cli.args()["seeds"].as<int64_t>();
    attn::check(seeds >= 1, "--seeds: expected a positive count (leave it out for the config's seeds), got {}", seeds);
    cli.add_override(fmt::format("seeds={}", seeds));
  }
  std::optional<int64_t> batch_runs;
  if (cli.has("batch-runs")) {
    batch_runs = cli.args()["batch-runs"].as<int64_t>();
    attn::check(*batch_runs >= 1, "--batch-runs: expected at least 1 run per process, got {}", *batch_runs);
  }
  const auto& common = cli.common();
  attn::check(!common.configs.empty(), "--config: expected at least one experiment YAML (see --help)");
  std::vector<tasks::CopyExperimentConfig> configs;
  for (const auto& path : common.configs) configs.push_back(tasks::parse_copy_experiment(common.load_config(path)));

  if (cli.has("worker-seeds")) {  // a worker trains the batched unit its parent prepared
    const auto seeds = attn::cli::parse_seed_list(cli.args()["worker-seeds"].as<std::string>(), "--worker-seeds");
    std::vector<fs::path> dirs;
    for (auto seed : seeds) dirs.push_back(tasks::seed_directory(common.out, seed));
    const int threads = attn::configure_threads(common.threads);
    tasks::run_copy_seeds_batched(configs.at(0), seeds, dirs, common.run_context(threads), /*resume=*/true);
    return 0;
  }
  if (cli.has("worker-seed")) {  // a worker trains what its parent prepared
    const int threads = attn::configure_threads(common.threads);
    tasks::run_copy_seed(configs.at(0), cli.args()["worker-seed"].as<int64_t>(), common.out,
                         common.run_context(threads), /*resume=*/true);
    return 0;
  }
  if (common.print_config) {
    std::vector<std::string> resolved;
    for (const auto& c : configs) resolved.push_back(c.resolved_yaml);
    attn::cli::print_configs(resolved);
    return 0;
  }

  const fs::path out_dir = common.out.empty() ? tasks::default_copy_folder(configs) : common.out;
  if (cli.has("only-run") || cli.has("summarize")) {  // one unit of work, or the summary, for a launcher
    tasks::prepare_copy_folders(configs, out_dir, /*resume=*/true);
    if (cli.has("summarize")) {
      tasks::write_copy_summary(configs, out_dir);
      return 0;
    }
    const auto run = tasks::find_copy_run(configs, out_dir, cli.args()["only-run"].as<std::string>());
    const int threads = attn::configure_threads(common.threads);
    tasks::run_copy_seed(configs[run.config], run.seed, run.dir, common.run_context(threads), /*resume=*/true);
    return 0;
  }
  return attn::cli::launch_copy_runs(common, configs, out_dir, batch_runs, attn::configure_threads(common.threads));
}

}  // namespace

int main(int argc, char** argv) {
  attn::ensure_fast_runtime(argc, argv);
  return attn::run_app("attn-copy", [&] { return app_main(argc, argv); });
}
