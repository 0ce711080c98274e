// attn-classify: trains the run set of a classification experiment (PAPER.md
// sections 2.3 and 4): normal runs A-F (seeds 20, 13, 14, 15, 16, 17 by
// default; A gives the gold attention) and one uniform-attention run (seed
// 12), side by side in worker processes on CPU, each resumable from its
// checkpoint, with weight snapshots at the checkpoint schedule of the spec.
// attn-analyze then reads the run set.
//
//   attn-classify --config experiments/classification/spamassassin.yaml --out runs/spamassassin
#include <cxxopts.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/files.h"
#include "attn/io/process_pool.h"
#include "attn/io/run_cost.h"
#include "attn/tasks/classification_config.h"
#include "attn/tasks/classification_runs.h"

namespace fs = std::filesystem;

namespace {

int app_main(int argc, char** argv) {
  cxxopts::Options cli("attn-classify", "Attention classifier (Snell et al. Section 3): trains the normal and "
                                        "uniform-attention runs of an experiment config into one run-set folder.");
  cli.add_options()
      ("c,config", "experiment YAML (experiments/classification/*.yaml)", cxxopts::value<std::string>())
      ("o,out", "run-set folder (default runs/<name>)", cxxopts::value<std::string>()->default_value(""))
      ("resume", "continue the run set found in --out from its checkpoints")
      ("only", "train only these runs (A, B, ..., uniform; comma-separated)",
       cxxopts::value<std::vector<std::string>>())
      ("device", "auto | cpu | cuda | cuda:N", cxxopts::value<std::string>()->default_value("auto"))
      ("threads", "intra-op threads in total (0 = all cores)", cxxopts::value<int>()->default_value("0"))
      ("jobs", "runs trained at once in worker processes (0 = one per thread on CPU, 1 on CUDA)",
       cxxopts::value<int>()->default_value("0"))
      ("quiet", "no per-evaluation progress lines")
      ("worker-run", "(internal) train one run of the set in --out", cxxopts::value<std::string>())
      ("h,help", "show this help");
  std::vector<std::string> command_line(argv, argv + argc);
  auto args = cli.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}\n", cli.help());
    return 0;
  }
  const bool quiet = args.count("quiet") > 0;
  const auto device = attn::resolve_device(args["device"].as<std::string>());

  if (args.count("worker-run")) {
    // A worker reads the run set the parent prepared (config and vocabulary).
    const fs::path out_dir = args["out"].as<std::string>();
    const auto config = attn::tasks::read_run_set_config(out_dir);
    const auto data = attn::tasks::load_run_set_data(config, out_dir);
    const auto runs = attn::tasks::classification_runs(config, out_dir);
    const int threads = attn::configure_threads(args["threads"].as<int>());
    attn::tasks::train_classification_run(config, data, attn::tasks::find_run(runs, args["worker-run"].as<std::string>()),
                                          {device, threads, !quiet, command_line});
    return 0;
  }

  attn::check(args.count("config") > 0, "--config: expected an experiment YAML (see --help)");
  const auto config = attn::tasks::load_classification_config(args["config"].as<std::string>());
  std::string out = args["out"].as<std::string>();
  if (out.empty()) out = "runs/" + config.name;
  const fs::path out_dir(out);
  const auto start = std::chrono::steady_clock::now();
  const auto data = attn::tasks::prepare_run_set(config, out_dir, args.count("resume") > 0);
  fmt::print(stderr, "[attn-classify] {}: {}\n", config.name, data.describe());

  auto runs = attn::tasks::classification_runs(config, out_dir);
  if (args.count("only")) {
    std::vector<attn::tasks::ClassificationRun> selected;
    for (const auto& name : args["only"].as<std::vector<std::string>>())
      selected.push_back(attn::tasks::find_run(runs, name));
    runs = selected;
  }
  std::vector<attn::tasks::ClassificationRun> pending;
  for (const auto& run : runs)
    if (!attn::tasks::run_finished(run)) pending.push_back(run);

  const int total_threads = attn::configure_threads(args["threads"].as<int>());
  int parallel = args["jobs"].as<int>();
  attn::check(parallel >= 0, "--jobs: expected 0 (auto) or a positive count, got {}", parallel);
  if (parallel == 0) parallel = device.is_cuda() ? 1 : total_threads;
  parallel = std::max(1, std::min<int>(parallel, static_cast<int>(std::max<size_t>(1, pending.size()))));
  const int threads_per_job = std::max(1, total_threads / parallel);
  fmt::print(stderr, "[attn-classify] {} runs to train ({} done) on {}, {} at a time x {} thread(s) -> {}\n",
             pending.size(), runs.size() - pending.size(), attn::describe_device(device, total_threads), parallel,
             threads_per_job, out_dir.string());

  if (parallel == 1) {
    attn::configure_threads(threads_per_job);
    for (const auto& run : pending)
      attn::tasks::train_classification_run(config, data, run, {device, threads_per_job, !quiet, command_line});
  } else {
    std::vector<std::vector<std::string>> worker_args;
    for (const auto& run : pending) {
      worker_args.push_back({"--worker-run", run.name, "--out", out_dir.string(), "--device", device.str(),
                             "--threads", std::to_string(threads_per_job)});
      if (quiet) worker_args.back().push_back("--quiet");
    }
    const auto codes = attn::io::run_self_in_parallel(worker_args, parallel, "attn-classify");
    for (size_t k = 0; k < codes.size(); ++k)
      attn::check(codes[k] == 0, "{}: worker failed (exit {}); rerun with --resume to continue",
                  pending[k].dir.string(), codes[k]);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{}: {} runs finished in {:.0f} s -> {} (next: attn-analyze --runs {})\n", config.name, runs.size(),
             seconds, out_dir.string(), out_dir.string());
  // Over every invocation of the run set, resumes included, and all its runs (not only --only's).
  std::vector<attn::io::RunSpan> spans;
  for (const auto& run : attn::tasks::classification_runs(config, out_dir))
    if (auto span = attn::io::read_run_span(run.dir)) spans.push_back(*span);
  attn::io::write_file_atomic(out_dir / "cost.md", fmt::format("# attn-classify cost: {}\n\n{}", config.name,
                                                               attn::io::format_run_costs({{"training", spans}})));
  fmt::print("cost (compute and active wall time over every invocation): {}\n", (out_dir / "cost.md").string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  attn::ensure_fast_runtime(argc, argv);
  return attn::run_app("attn-classify", [&] { return app_main(argc, argv); });
}
