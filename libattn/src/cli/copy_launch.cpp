// Launching a copy experiment's seeds (see attn/cli/copy_launch.h).
#include "attn/cli/copy_launch.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>

#include "attn/cli/slurm_launch.h"
#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/jobs.h"
#include "attn/io/run_record.h"
#include "attn/tasks/batched_copy.h"

namespace attn::cli {

namespace fs = std::filesystem;

namespace {

// One array task per unfinished run (its --only-run name), then the summary.
int submit_copy_runs(const CommonOptions& common, const std::vector<tasks::CopyExperimentConfig>& configs,
                     const fs::path& out_dir, const std::vector<tasks::CopySeedRun>& pending) {
  const fs::path out = fs::absolute(out_dir);
  std::vector<std::string> recorded_configs;  // the configs as the folder records them
  for (const auto& c : configs)
    recorded_configs.insert(recorded_configs.end(), {"--config", (out / c.name / "config.yaml").string()});
  auto with_configs = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.begin(), recorded_configs.begin(), recorded_configs.end());
    return arguments;
  };
  return submit_run_set(
      common, "attn-copy", out,
      {slurm_unit_stage(common, "runs", pending.size(),
                        [&](size_t k) {
                          return with_configs(
                              {"--out", out.string(), "--only-run", tasks::copy_run_name(configs, pending[k])});
                        }),
       slurm_summary_stage(common, with_configs({"--out", out.string(), "--summarize"}))});
}

std::vector<int64_t> unit_seeds(const std::vector<tasks::CopySeedRun>& unit) {
  std::vector<int64_t> seeds;
  for (const auto& run : unit) seeds.push_back(run.seed);
  return seeds;
}

std::vector<fs::path> unit_dirs(const std::vector<tasks::CopySeedRun>& unit) {
  std::vector<fs::path> dirs;
  for (const auto& run : unit) dirs.push_back(run.dir);
  return dirs;
}

}  // namespace

std::vector<int64_t> parse_seed_list(const std::string& text, const std::string& flag) {
  std::vector<int64_t> seeds;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t end = std::min(text.find(',', begin), text.size());
    const std::string field = text.substr(begin, end - begin);
    int64_t seed = -1;
    const auto [rest, error] = std::from_chars(field.data(), field.data() + field.size(), seed);
    check(!field.empty() && error == std::errc() && rest == field.data() + field.size() && seed >= 0,
          "{}: expected comma-separated non-negative seeds, got '{}'", flag, text);
    seeds.push_back(seed);
    begin = end + 1;
  }
  return seeds;
}

int launch_copy_runs(const CommonOptions& common, const std::vector<tasks::CopyExperimentConfig>& configs,
                     const fs::path& out_dir, std::optional<int64_t> batch_runs, int total_threads) {
  tasks::prepare_copy_folders(configs, out_dir, common.resume || common.slurm);
  const auto runs = tasks::copy_seed_runs(configs, out_dir);
  std::vector<tasks::CopySeedRun> pending;
  for (const auto& run : runs)
    if (!io::run_done(run.dir)) pending.push_back(run);
  if (common.slurm) return submit_copy_runs(common, configs, out_dir, pending);

  const int64_t per_unit = batch_runs ? *batch_runs : tasks::default_batch_runs(common.device.is_cuda(), pending.size());
  const auto units = tasks::batch_copy_runs(pending, per_unit);
  const auto plan = io::plan_jobs(common.device.is_cuda(), total_threads, common.jobs, units.size());
  fmt::print(stderr, "[attn-copy] {} runs ({} configs, {} done) on {}, {}{} -> {}\n", runs.size(), configs.size(),
             runs.size() - pending.size(), describe_device(common.device, total_threads), io::describe(plan),
             per_unit > 1 ? fmt::format(", up to {} runs batched each", per_unit) : "", out_dir.string());

  io::JobSet jobs;
  jobs.units = units.size();
  jobs.in_process = [&](size_t k) {
    const auto& unit = units[k];
    const auto& config = configs[unit[0].config];
    const auto context = common.run_context(plan.threads_per_job);
    if (unit.size() == 1)
      tasks::run_copy_seed(config, unit[0].seed, unit[0].dir, context, /*resume=*/true);
    else
      tasks::run_copy_seeds_batched(config, unit_seeds(unit), unit_dirs(unit), context, /*resume=*/true);
  };
  jobs.worker_arguments = [&](size_t k) {
    const auto& unit = units[k];
    const fs::path config_dir = out_dir / configs[unit[0].config].name;
    std::vector<std::string> args = {"--config", (config_dir / "config.yaml").string()};
    if (unit.size() == 1)
      args.insert(args.end(), {"--worker-seed", std::to_string(unit[0].seed), "--out", unit[0].dir.string()});
    else
      args.insert(args.end(),
                  {"--worker-seeds", fmt::format("{}", fmt::join(unit_seeds(unit), ",")), "--out", config_dir.string()});
    for (auto& flag : common.worker_flags(plan.threads_per_job)) args.push_back(std::move(flag));
    return args;
  };
  jobs.name = [&](size_t k) {
    std::vector<std::string> dirs;
    for (const auto& dir : unit_dirs(units[k])) dirs.push_back(dir.string());
    return fmt::format("{}", fmt::join(dirs, ", "));
  };
  io::run_jobs(jobs, plan, "attn-copy");

  // Summaries and figures from what is on disk (identical for fresh and resumed runs).
  tasks::write_copy_summary(configs, out_dir);
  return 0;
}

}  // namespace attn::cli
