// attn-translate: trains the run set of a translation experiment (PAPER.md
// 2.2 and 4.1): the gold run A (seed 20), the comparison run B (seed 13) and
// one uniform-attention run (seed 12), side by side in worker processes on
// CPU, each resumable from its checkpoint, with weight snapshots at the
// checkpoint list of the spec. attn-analyze then reads the run set.
//
//   scripts/prepare-data.sh translation
//   attn-translate --config experiments/translation/gettext-en-de.yaml --out runs/gettext-en-de
#include <fmt/format.h>

#include <chrono>

#include "attn/cli/command_line.h"
#include "attn/cli/slurm_launch.h"
#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/jobs.h"
#include "attn/tasks/translation_config.h"
#include "attn/tasks/translation_runs.h"

namespace fs = std::filesystem;
namespace tasks = attn::tasks;

namespace {

int app_main(int argc, char** argv) {
  attn::cli::CommandLine cli("attn-translate", "Translation seq2seq (Snell et al. Section 3): trains the gold, "
                                               "comparison and uniform-attention runs of an experiment config into "
                                               "one run-set folder.",
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
    tasks::write_translation_run_set_cost(tasks::read_translation_run_set_config(common.out), common.out);
    fmt::print("cost (compute and active wall time over every invocation): {}\n", (common.out / "cost.md").string());
    return 0;
  }
  if (cli.has("worker-run") || cli.has("only-run")) {  // a worker reads the run set its parent prepared (config and vocabulary)
    const auto config = tasks::read_translation_run_set_config(common.out);
    const auto data = tasks::load_translation_run_set_data(config, common.out);
    const auto runs = tasks::translation_runs(config, common.out);
    const int threads = attn::configure_threads(common.threads);
    tasks::train_translation_run(config, data,
                                 tasks::find_translation_run(runs, cli.args()[cli.has("only-run") ? "only-run" : "worker-run"].as<std::string>()),
                                 common.run_context(threads));
    return 0;
  }
  attn::check(!common.configs.empty(), "--config: expected an experiment YAML (see --help)");
  const auto config = tasks::parse_translation_config(common.load_config(common.configs[0]));
  if (common.print_config) {
    attn::cli::print_configs({config.resolved_yaml});
    return 0;
  }
  const fs::path out_dir = common.out.empty() ? fs::path("runs/" + config.name) : common.out;
  const auto start = std::chrono::steady_clock::now();
  const auto data = tasks::prepare_translation_run_set(config, out_dir, common.resume || common.slurm);
  const auto trainer = config.trainer_options(static_cast<int64_t>(data.train.size()));
  fmt::print(stderr, "[attn-translate] {}: {}; {} epochs = {} steps of {} pairs, {} snapshots\n", config.name,
             data.describe(), config.epochs, trainer.steps(), config.train.batch_size, trainer.snapshot_steps().size());

  auto runs = tasks::translation_runs(config, out_dir);
  if (cli.has("only")) {
    std::vector<tasks::TranslationRun> selected;
    for (const auto& name : cli.args()["only"].as<std::vector<std::string>>())
      selected.push_back(tasks::find_translation_run(runs, name));
    runs = selected;
  }
  std::vector<tasks::TranslationRun> pending;
  for (const auto& run : runs)
    if (!tasks::translation_run_finished(run)) pending.push_back(run);
  if (common.slurm) {  // one array task per unfinished run, then the cost summary
    const fs::path out = fs::absolute(out_dir);
    return attn::cli::submit_run_set(
        common, "attn-translate", out,
        {attn::cli::slurm_unit_stage(common, "runs", pending.size(),
                                     [&](size_t k) {
                                       return std::vector<std::string>{"--out", out.string(), "--only-run",
                                                                       pending[k].name};
                                     }),
         attn::cli::slurm_summary_stage(common, {"--out", out.string(), "--summarize"})});
  }
  const int total_threads = attn::configure_threads(common.threads);
  const auto plan = attn::io::plan_jobs(common.device.is_cuda(), total_threads, common.jobs, pending.size());
  fmt::print(stderr, "[attn-translate] {} runs to train ({} done) on {}, {} -> {}\n", pending.size(),
             runs.size() - pending.size(), attn::describe_device(common.device, total_threads),
             attn::io::describe(plan), out_dir.string());

  attn::io::JobSet jobs;
  jobs.units = pending.size();
  jobs.in_process = [&](size_t k) {
    tasks::train_translation_run(config, data, pending[k], common.run_context(plan.threads_per_job));
  };
  jobs.worker_arguments = [&](size_t k) {
    std::vector<std::string> args = {"--worker-run", pending[k].name, "--out", out_dir.string()};
    for (auto& flag : common.worker_flags(plan.threads_per_job)) args.push_back(std::move(flag));
    return args;
  };
  jobs.name = [&](size_t k) { return pending[k].dir.string(); };
  attn::io::run_jobs(jobs, plan, "attn-translate");

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{}: {} runs finished in {:.0f} s -> {} (next: attn-analyze --runs {})\n", config.name, runs.size(),
             seconds, out_dir.string(), out_dir.string());
  tasks::write_translation_run_set_cost(config, out_dir);
  fmt::print("cost (compute and active wall time over every invocation): {}\n", (out_dir / "cost.md").string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  attn::ensure_fast_runtime(argc, argv);
  return attn::run_app("attn-translate", [&] { return app_main(argc, argv); });
}
