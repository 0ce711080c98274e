// attn-multihead: the multi-head experiment of the paper's Section 5.2
// (PAPER.md 2.4, 5 "multihead"): fixed base, head screening, the combination
// trials (bad, bad+good, random), summary and figures. All of it is in
// attn/tasks/multihead_experiment.h; this is the command line.
//
//   attn-multihead --config experiments/multihead/medium.yaml --out runs/multihead-medium
//   attn-multihead --config experiments/multihead/medium.yaml --out runs/multihead-medium --resume
//   attn-multihead --out runs/multihead-medium --report     # summary so far, while it runs
#include <fmt/format.h>

#include "attn/cli/command_line.h"
#include "attn/cli/slurm_launch.h"
#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/run_record.h"
#include "attn/nn/recurrent.h"
#include "attn/tasks/batched_copy.h"
#include "attn/tasks/folder_kind.h"
#include "attn/tasks/multihead_experiment.h"

namespace fs = std::filesystem;
namespace tasks = attn::tasks;

namespace {

int app_main(int argc, char** argv) {
  attn::cli::CommandLine cli("attn-multihead", "Multi-head copy experiment (Snell et al. Section 5.2): screens single "
                                               "heads on a fixed base, then trains bad / bad+good / random combinations.",
                             attn::cli::kTrainingApp);
  cli.options().add_options()
      ("report", "write the summary and figures of the experiment in --out as far as it has got (it may be running); "
                 "trains nothing. --config defaults to its recorded config.yaml")
      ("progress", "print a line at every evaluation of every run")
      ("summarize", "the same as --report: the summary and figures of --out from what is on disk")
      ("screening-worker", "run screening worker K in --out (workers share the draws through screening/claims; a "
                           "worker started again resumes the draw it held); for launchers", cxxopts::value<int64_t>())
      ("only-trial", "train (or resume) trials, <combination>:<index>[,...] (bad:0, bad+good:7, random:3; several "
                     "are batched), once screening has ended (it finishes screening first if no one has); for "
                     "launchers",
       cxxopts::value<std::string>())
      ("batch-runs", "screened heads, or trials, trained as one batched model per process (default: 1 on CPU, "
                     "where worker processes are as fast; 40 on CUDA)",
       cxxopts::value<int64_t>());
  if (!cli.parse(argc, argv)) return 0;
  const auto& common = cli.common();
  if (cli.has("report") || cli.has("summarize")) {
    attn::check(!common.out.empty(), "--report, --summarize: expected --out, the experiment folder to report on");
    tasks::check_folder_kind(common.out, "attn-multihead --report", "multihead", "the folders of attn-multihead");
    const std::string recorded = attn::io::recorded_config(common.out);
    attn::check(!recorded.empty(), "{}: no experiment recorded there (no config.yaml); nothing to report",
                common.out.string());
    const auto config = tasks::parse_multihead_experiment(
        common.load_config(common.configs.empty() ? (common.out / "config.yaml").string() : common.configs[0]));
    attn::train::check_run_folder(common.out, config.resolved_yaml, /*resume=*/true);
    tasks::write_multihead_summary(config, common.out, std::nullopt);  // reads what is there, trains nothing
    return 0;
  }
  attn::check(!common.configs.empty(), "--config: expected an experiment YAML (see --help)");
  const auto config = tasks::parse_multihead_experiment(common.load_config(common.configs[0]));
  if (common.print_config) {
    attn::cli::print_configs({config.resolved_yaml});
    return 0;
  }
  const fs::path out_dir = common.out.empty() ? fs::path("runs/multihead-" + config.copy.name) : common.out;
  const bool progress = cli.has("progress") && !common.quiet;
  const int64_t batch_runs = cli.has("batch-runs") ? cli.args()["batch-runs"].as<int64_t>()
                                                   : tasks::default_batch_runs(common.device.is_cuda(), 1u << 20);
  attn::check(batch_runs >= 1, "--batch-runs: expected at least 1 run per process, got {}", batch_runs);
  if (cli.has("screening-worker") || cli.has("only-trial")) {
    auto context = common.run_context(attn::configure_threads(common.threads));
    context.progress = progress;
    if (cli.has("screening-worker")) {
      const int64_t worker = cli.args()["screening-worker"].as<int64_t>();
      attn::check(worker >= 0, "--screening-worker: expected a worker index >= 0, got {}", worker);
      tasks::run_screening_worker(config, out_dir, context, worker, batch_runs);
    } else {
      std::vector<tasks::TrialPlan> plans;
      for (const auto& [combination, trial] : tasks::parse_trial_ids(cli.args()["only-trial"].as<std::string>())) {
        attn::check(trial >= 0 && trial < config.trials.count,
                    "--only-trial: expected an index from 0 to {}, got {}", config.trials.count - 1, trial);
        plans.push_back(tasks::plan_trial(config, combination, trial));
      }
      tasks::ensure_screening_finished(config, out_dir);
      tasks::run_trials(config, out_dir, plans, context);
    }
    return 0;
  }

  // The experiment folder holds one config; resuming checks it is the same.
  attn::train::check_run_folder(out_dir, config.resolved_yaml, common.resume || common.slurm);
  const int total_threads = attn::configure_threads(common.threads);
  tasks::MultiheadLaunch launch;
  launch.plan = attn::io::plan_jobs(common.device.is_cuda(), total_threads, common.jobs);
  launch.context = common.run_context(launch.plan.threads_per_job);
  launch.context.progress = progress;
  launch.batch_runs = batch_runs;
  launch.worker_arguments = [&](const std::vector<std::string>& worker_flags) {
    std::vector<std::string> args = {"--config", (out_dir / "config.yaml").string(), "--out", out_dir.string()};
    for (auto& flag : common.worker_flags(launch.plan.threads_per_job)) args.push_back(std::move(flag));
    if (progress) args.push_back("--progress");
    args.insert(args.end(), worker_flags.begin(), worker_flags.end());
    return args;
  };
  attn::io::RunRecord record;
  record.config_yaml = config.resolved_yaml;
  record.seed = config.base_seed;
  record.device = attn::describe_device(common.device, total_threads);
  record.threads = total_threads;
  record.command_line = common.command_line;
  record.experiment = config.copy.name;
  record.overrides = common.overrides;
  record.recurrence = attn::nn::describe_recurrence(common.device);
  attn::io::write_run_record(out_dir, record);
  if (common.slurm) {  // screening workers, then one task per unfinished trial, then the summary
    const fs::path out = fs::absolute(out_dir);
    // Default: as many screening workers as heads to keep (each finds about one).
    const auto units = tasks::prepare_multihead_units(
        config, out_dir, common.jobs > 0 ? common.jobs : config.screening.good + config.screening.bad);
    const std::vector<std::string> base = {"--config", (out / "config.yaml").string(), "--out", out.string()};
    auto with = [&](std::vector<std::string> flags) {
      flags.insert(flags.begin(), base.begin(), base.end());
      return flags;
    };
    return attn::cli::submit_run_set(
        common, "attn-multihead", out,
        {attn::cli::slurm_unit_stage(common, "screening", static_cast<size_t>(units.screening_workers),
                                     [&](size_t k) {
                                       return with({"--screening-worker", std::to_string(k), "--batch-runs",
                                                    std::to_string(batch_runs)});
                                     }),
         attn::cli::slurm_unit_stage(common, "trials", units.trials.size(),
                                     [&](size_t k) { return with({"--only-trial", units.trials[k]}); }),
         attn::cli::slurm_summary_stage(common, with({"--summarize"}))});
  }
  fmt::print(stderr, "[attn-multihead] {} on {}, {}{} -> {}\n", config.copy.name, record.device,
             attn::io::describe(launch.plan),
             batch_runs > 1 ? fmt::format(", up to {} runs batched each", batch_runs) : "", out_dir.string());
  tasks::run_multihead_experiment(config, out_dir, launch);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  attn::ensure_fast_runtime(argc, argv);
  return attn::run_app("attn-multihead", [&] { return app_main(argc, argv); });
}
