// attn-translate: trains the run set of a translation experiment (PAPER.md
// 2.2 and 4.1): the gold run A (seed 20), the comparison run B (seed 13) and
// one uniform-attention run (seed 12), side by side in worker processes on
// CPU, each resumable from its checkpoint, with weight snapshots at the
// checkpoint list of the spec. attn-analyze then reads the run set.
//
//   scripts/prepare-data.sh translation
//   attn-translate --config experiments/translation/gettext-en-de.yaml --out runs/gettext-en-de
#include <fmt/format.h>

#include "attn/cli/command_line.h"
#include "attn/cli/run_set_launch.h"
#include "attn/core/error.h"
#include "attn/core/runtime.h"
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
  auto pending = attn::cli::pending_runs(
      config.name, runs, [](const tasks::TranslationRun& run) { return tasks::translation_run_finished(run); },
      [&](const tasks::TranslationRun& run, const attn::train::RunContext& context) {
        tasks::train_translation_run(config, data, run, context);
      });
  pending.write_cost = [&] { tasks::write_translation_run_set_cost(config, out_dir); };
  return attn::cli::launch_pending_runs(common, "attn-translate", out_dir, pending,
                                        attn::configure_threads(common.threads));
}

}  // namespace

int main(int argc, char** argv) {
  attn::ensure_fast_runtime(argc, argv);
  return attn::run_app("attn-translate", [&] { return app_main(argc, argv); });
}
