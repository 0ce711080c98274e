// attn-copy: the copy experiment of PAPER.md 4 / 5 ("copy", "copy-uniform",
// curriculum). Trains N seeds of one or more configs (side by side in worker
// processes on CPU), prints per-seed and overall summaries, and renders the
// learning curves of token, attention and KTIW accuracy.
//
//   attn-copy --config experiments/copy/permutation40.yaml
//             --config experiments/copy/subset40of60.yaml --out runs/copy
#include <cxxopts.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/config.h"
#include "attn/io/files.h"
#include "attn/io/process_pool.h"
#include "attn/io/run_cost.h"
#include "attn/io/run_record.h"
#include "attn/plot/copy_figures.h"
#include "attn/tasks/copy_experiment.h"

namespace fs = std::filesystem;
using attn::tasks::CopyExperimentConfig;

namespace {

// Loads a config and applies the --seeds override through the YAML itself, so
// the recorded config.yaml is exactly what ran.
CopyExperimentConfig load_config(const std::string& path, int64_t seeds_override) {
  // Read once: the path may be a pipe, which a second read would find empty.
  attn::check(fs::exists(path), "{}: config file not found", path);
  std::string text = attn::io::read_text_file(path);
  if (seeds_override > 0) {
    attn::io::ConfigNode::parse(text, path);  // a YAML syntax error is reported with the file name
    YAML::Node root = YAML::Load(text);
    root["seeds"] = seeds_override;
    YAML::Emitter emitter;
    emitter << root;
    text = emitter.c_str();
  }
  return attn::tasks::parse_copy_experiment(attn::io::ConfigNode::parse(text, path));
}

int worker_main(const cxxopts::ParseResult& args, const std::vector<std::string>& command_line) {
  const auto config = attn::tasks::parse_copy_experiment(
      attn::io::ConfigNode::load_file(args["config"].as<std::vector<std::string>>().at(0)));
  const int threads = attn::configure_threads(args["threads"].as<int>());
  attn::tasks::SeedRunOptions options;
  options.device = attn::resolve_device(args["device"].as<std::string>());
  options.threads = threads;
  options.resume = true;  // the parent already decided; a worker continues what exists
  options.progress = !args.count("quiet");
  options.command_line = command_line;
  attn::tasks::run_copy_seed(config, args["worker-seed"].as<int64_t>(), args["out"].as<std::string>(), options);
  return 0;
}

int app_main(int argc, char** argv) {
  cxxopts::Options cli("attn-copy", "Copy task (Snell et al. Section 4): trains seeds of one or more configs "
                                    "and reports token, attention and KTIW accuracy.");
  cli.add_options()
      ("c,config", "experiment YAML (repeat to run several side by side)", cxxopts::value<std::vector<std::string>>())
      ("seeds", "number of seeds (overrides the config's `seeds`)", cxxopts::value<int64_t>()->default_value("0"))
      ("o,out", "run folder", cxxopts::value<std::string>()->default_value(""))
      ("resume", "continue the runs found in --out from their checkpoints")
      ("device", "auto | cpu | cuda | cuda:N", cxxopts::value<std::string>()->default_value("auto"))
      ("threads", "intra-op threads in total (0 = all cores)", cxxopts::value<int>()->default_value("0"))
      ("jobs", "seeds trained at once in worker processes (0 = one per thread on CPU, 1 on CUDA)",
       cxxopts::value<int>()->default_value("0"))
      ("quiet", "no per-evaluation progress lines")
      ("worker-seed", "(internal) train one seed into --out", cxxopts::value<int64_t>())
      ("h,help", "show this help");
  std::vector<std::string> command_line(argv, argv + argc);
  auto args = cli.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}\n", cli.help());
    return 0;
  }
  attn::check(args.count("config") > 0, "--config: expected at least one experiment YAML (see --help)");
  if (args.count("worker-seed")) return worker_main(args, command_line);

  const auto config_paths = args["config"].as<std::vector<std::string>>();
  const int64_t seeds_override = args["seeds"].as<int64_t>();
  attn::check(seeds_override >= 0, "--seeds: expected a positive count, got {}", seeds_override);
  std::vector<CopyExperimentConfig> configs;
  for (const auto& path : config_paths) configs.push_back(load_config(path, seeds_override));
  for (size_t i = 0; i < configs.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      attn::check(configs[i].name != configs[j].name, "--config: two configs share the name '{}'", configs[i].name);

  // Flags are checked before anything touches the run folder.
  const auto device = attn::resolve_device(args["device"].as<std::string>());
  const int total_threads = attn::configure_threads(args["threads"].as<int>());
  int parallel = args["jobs"].as<int>();
  attn::check(parallel >= 0, "--jobs: expected 0 (auto) or a positive count, got {}", parallel);
  const bool resume = args.count("resume") > 0;
  std::string out = args["out"].as<std::string>();
  if (out.empty()) {
    std::vector<std::string> names;
    for (const auto& c : configs) names.push_back(c.name);
    out = "runs/copy-" + fmt::format("{}", fmt::join(names, "+"));
  }
  const fs::path out_dir(out);

  // Every (config, seed) is one job; jobs run side by side on CPU.
  struct Job { size_t config; int64_t seed; fs::path dir; };
  std::vector<Job> jobs;
  for (size_t i = 0; i < configs.size(); ++i) {
    const fs::path config_dir = out_dir / configs[i].name;
    const std::string previous = attn::io::recorded_config(config_dir);
    attn::check(previous.empty() || resume,
                "{}: already holds runs; pass --resume to continue them or choose another --out", config_dir.string());
    attn::check(previous.empty() || previous == configs[i].resolved_yaml,
                "{}: holds runs of a different config; refusing to mix them", config_dir.string());
    attn::io::write_file_atomic(config_dir / "config.yaml", configs[i].resolved_yaml);
    for (int64_t s = 0; s < configs[i].seeds; ++s) {
      const int64_t seed = configs[i].first_seed + s;
      jobs.push_back({i, seed, attn::tasks::seed_directory(config_dir, seed)});
    }
  }
  if (parallel == 0) parallel = device.is_cuda() ? 1 : total_threads;
  parallel = std::max(1, std::min<int>(parallel, static_cast<int>(jobs.size())));
  const int threads_per_job = std::max(1, total_threads / parallel);
  fmt::print(stderr, "[attn-copy] {} runs ({} configs) on {}, {} at a time x {} thread(s) -> {}\n", jobs.size(),
             configs.size(), attn::describe_device(device, total_threads), parallel, threads_per_job, out_dir.string());

  std::vector<std::vector<std::string>> worker_args;
  std::vector<size_t> pending;
  for (size_t j = 0; j < jobs.size(); ++j) {
    if (attn::tasks::seed_finished(jobs[j].dir)) continue;  // resumed: already done
    const auto& job = jobs[j];
    worker_args.push_back({"--config", (out_dir / configs[job.config].name / "config.yaml").string(),
                           "--worker-seed", std::to_string(job.seed), "--out", job.dir.string(), "--device",
                           device.str(), "--threads", std::to_string(threads_per_job)});
    if (args.count("quiet")) worker_args.back().push_back("--quiet");
    pending.push_back(j);
  }
  if (parallel == 1) {
    attn::configure_threads(threads_per_job);
    for (size_t k = 0; k < pending.size(); ++k) {
      const auto& job = jobs[pending[k]];
      attn::tasks::SeedRunOptions options{device, threads_per_job, true, !args.count("quiet"), command_line};
      attn::tasks::run_copy_seed(configs[job.config], job.seed, job.dir, options);
    }
  } else {
    const auto codes = attn::io::run_self_in_parallel(worker_args, parallel, "attn-copy");
    for (size_t k = 0; k < codes.size(); ++k)
      attn::check(codes[k] == 0, "{}: worker failed (exit {}); rerun with --resume to continue",
                  jobs[pending[k]].dir.string(), codes[k]);
  }

  // Summaries and figures from what is on disk (identical for fresh and resumed runs).
  std::vector<attn::tasks::CopyExperimentSummary> summaries;
  std::vector<attn::plot::CurveSet> curves;
  for (size_t i = 0; i < configs.size(); ++i) {
    attn::tasks::CopyExperimentSummary summary{configs[i].name, {}};
    attn::plot::CurveSet curve{configs[i].name, {}};
    for (const auto& job : jobs) {
      if (job.config != i) continue;
      summary.seeds.push_back(attn::tasks::summarize_copy_history(job.seed, attn::tasks::read_history(job.dir)));
      curve.metric_files.push_back(job.dir / "metrics.csv");
    }
    summaries.push_back(summary);
    curves.push_back(curve);
  }
  const std::string table = attn::tasks::format_summary(summaries);
  fmt::print("{}\n", table);
  // Over every invocation, so a run resumed across sessions still has a cost.
  std::vector<std::pair<std::string, std::vector<attn::io::RunSpan>>> phases;
  for (const auto& c : configs) phases.emplace_back(c.name, attn::io::read_run_spans(out_dir / c.name));
  attn::io::write_file_atomic(out_dir / "summary.md",
                              "# attn-copy summary\n" + table + "\n## Cost\n\n" + attn::io::format_run_costs(phases));
  attn::io::write_file_atomic(out_dir / "summary.csv", attn::tasks::summary_csv(summaries));
  if (attn::plot::render_copy_learning_curves(out_dir / "learning_curves.png", curves))
    fmt::print("figure: {}\n", (out_dir / "learning_curves.png").string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  attn::ensure_fast_runtime(argc, argv);
  return attn::run_app("attn-copy", [&] { return app_main(argc, argv); });
}
