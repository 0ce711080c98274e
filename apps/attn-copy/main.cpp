// attn-copy: the copy experiment of PAPER.md 4 / 5 ("copy", "copy-uniform",
// curriculum). Trains N seeds of one or more configs (side by side in worker
// processes on CPU; --batch-runs R: R seeds of a config per process as one
// batched model, the default on CUDA), prints per-seed and overall
// summaries, and renders the learning curves of token, attention and KTIW accuracy.
//
//   attn-copy --config experiments/copy/permutation40.yaml
//             --config experiments/copy/subset40of60.yaml --out runs/copy
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sstream>

#include "attn/cli/command_line.h"
#include "attn/cli/slurm_launch.h"
#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/jobs.h"
#include "attn/io/run_record.h"
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
  const auto& common = cli.common();
  attn::check(!common.configs.empty(), "--config: expected at least one experiment YAML (see --help)");
  std::vector<tasks::CopyExperimentConfig> configs;
  for (const auto& path : common.configs) configs.push_back(tasks::parse_copy_experiment(common.load_config(path)));

  if (cli.has("batch-runs"))
    attn::check(cli.args()["batch-runs"].as<int64_t>() >= 1,
                "--batch-runs: expected at least 1 run per process, got {}", cli.args()["batch-runs"].as<int64_t>());
  if (cli.has("worker-seeds")) {  // a worker trains the batched set its parent prepared
    const int threads = attn::configure_threads(common.threads);
    std::vector<int64_t> seeds;
    std::vector<fs::path> dirs;
    std::stringstream list(cli.args()["worker-seeds"].as<std::string>());
    for (std::string field; std::getline(list, field, ',');) {
      seeds.push_back(std::stoll(field));
      dirs.push_back(tasks::seed_directory(common.out, seeds.back()));
    }
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
  // One unit of work, or the summary, for a launcher (several may run at once).
  if (cli.has("only-run") || cli.has("summarize")) {
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
  const int total_threads = attn::configure_threads(common.threads);
  tasks::prepare_copy_folders(configs, out_dir, common.resume || common.slurm);
  std::vector<tasks::CopySeedRun> pending;
  const auto runs = tasks::copy_seed_runs(configs, out_dir);
  for (const auto& run : runs)
    if (!attn::io::run_done(run.dir)) pending.push_back(run);
  if (common.slurm) {  // one array task per unfinished run, then the summary
    const fs::path out = fs::absolute(out_dir);
    std::vector<std::string> resolved;  // the configs as the folder records them
    for (const auto& c : configs) resolved.insert(resolved.end(), {"--config", (out / c.name / "config.yaml").string()});
    auto with_configs = [&](std::vector<std::string> arguments) {
      arguments.insert(arguments.begin(), resolved.begin(), resolved.end());
      return arguments;
    };
    return attn::cli::submit_run_set(
        common, "attn-copy", out,
        {attn::cli::slurm_unit_stage(common, "runs", pending.size(),
                                     [&](size_t k) {
                                       return with_configs({"--out", out.string(), "--only-run",
                                                            tasks::copy_run_name(configs, pending[k])});
                                     }),
         attn::cli::slurm_summary_stage(common, with_configs({"--out", out.string(), "--summarize"}))});
  }
  // Each unit is a set of at most --batch-runs pending runs of one config
  // (one run each by default on CPU: today's worker processes).
  const int64_t batch_runs = cli.has("batch-runs") ? cli.args()["batch-runs"].as<int64_t>()
                                                   : tasks::default_batch_runs(common.device.is_cuda(), pending.size());
  const auto units = tasks::batch_copy_runs(pending, batch_runs);
  const auto plan = attn::io::plan_jobs(common.device.is_cuda(), total_threads, common.jobs, units.size());
  fmt::print(stderr, "[attn-copy] {} runs ({} configs, {} done) on {}, {}{} -> {}\n", runs.size(), configs.size(),
             runs.size() - pending.size(), attn::describe_device(common.device, total_threads),
             attn::io::describe(plan), batch_runs > 1 ? fmt::format(", up to {} runs batched each", batch_runs) : "",
             out_dir.string());

  attn::io::JobSet jobs;
  jobs.units = units.size();
  jobs.in_process = [&](size_t k) {
    const auto& unit = units[k];
    const auto context = common.run_context(plan.threads_per_job);
    if (unit.size() == 1) {
      tasks::run_copy_seed(configs[unit[0].config], unit[0].seed, unit[0].dir, context, true);
      return;
    }
    std::vector<int64_t> seeds;
    std::vector<fs::path> dirs;
    for (const auto& run : unit) {
      seeds.push_back(run.seed);
      dirs.push_back(run.dir);
    }
    tasks::run_copy_seeds_batched(configs[unit[0].config], seeds, dirs, context, true);
  };
  jobs.worker_arguments = [&](size_t k) {
    const auto& unit = units[k];
    const fs::path config_dir = out_dir / configs[unit[0].config].name;
    std::vector<std::string> args = {"--config", (config_dir / "config.yaml").string()};
    if (unit.size() == 1) {
      for (std::string a : {std::string("--worker-seed"), std::to_string(unit[0].seed), std::string("--out"),
                            unit[0].dir.string()})
        args.push_back(a);
    } else {
      std::vector<std::string> seeds;
      for (const auto& run : unit) seeds.push_back(std::to_string(run.seed));
      for (std::string a : {std::string("--worker-seeds"), fmt::format("{}", fmt::join(seeds, ",")),
                            std::string("--out"), config_dir.string()})
        args.push_back(a);
    }
    for (auto& flag : common.worker_flags(plan.threads_per_job)) args.push_back(std::move(flag));
    return args;
  };
  jobs.name = [&](size_t k) {
    std::vector<std::string> dirs;
    for (const auto& run : units[k]) dirs.push_back(run.dir.string());
    return fmt::format("{}", fmt::join(dirs, ", "));
  };
  attn::io::run_jobs(jobs, plan, "attn-copy");

  // Summaries and figures from what is on disk (identical for fresh and resumed runs).
  tasks::write_copy_summary(configs, out_dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  attn::ensure_fast_runtime(argc, argv);
  return attn::run_app("attn-copy", [&] { return app_main(argc, argv); });
}
