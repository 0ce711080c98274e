// attn-multihead: the multi-head experiment of the paper's Section 5.2
// (PAPER.md 2.4, 5 "multihead"). Makes the fixed base, screens single heads
// on it until enough good and bad ones are found, trains the combination
// trials (bad, bad+good, random), and writes the summary and figures. Every
// phase works in worker processes, resumes from what is on disk, and a killed
// run loses at most the run in progress.
//
//   attn-multihead --config experiments/multihead/medium.yaml --out runs/multihead-medium
//   attn-multihead --config experiments/multihead/medium.yaml --out runs/multihead-medium --resume
//   attn-multihead --out runs/multihead-medium --report     # summary so far, while it runs
#include <cxxopts.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/files.h"
#include "attn/io/process_pool.h"
#include "attn/io/run_cost.h"
#include "attn/io/run_record.h"
#include "attn/plot/multihead_figures.h"
#include "attn/tasks/head_screening.h"
#include "attn/tasks/multihead_trials.h"
#include "attn/tasks/trial_heads.h"

namespace fs = std::filesystem;
namespace tasks = attn::tasks;
using tasks::Combination;

namespace {

tasks::SeedRunOptions run_options(const cxxopts::ParseResult& args, int threads,
                                  const std::vector<std::string>& command_line) {
  tasks::SeedRunOptions options;
  options.device = attn::resolve_device(args["device"].as<std::string>());
  options.threads = threads;
  options.resume = true;
  options.progress = args.count("progress") > 0;
  options.command_line = command_line;
  return options;
}

// "bad+good:7" -> (kBadPlusGood, 7).
std::pair<Combination, int64_t> parse_trial_id(const std::string& id) {
  const auto colon = id.rfind(':');
  attn::check(colon != std::string::npos, "--worker-trial: expected <combination>:<index>, got '{}'", id);
  const std::string name = id.substr(0, colon);
  for (auto c : {Combination::kBad, Combination::kBadPlusGood, Combination::kRandom})
    if (tasks::combination_name(c) == name) return {c, std::stoll(id.substr(colon + 1))};
  throw attn::Error(fmt::format("--worker-trial: unknown combination '{}'", name));
}

// Runs `worker_args` as child processes (`jobs` at a time), or in this
// process one after another via `in_process` when jobs == 1; `after_each`
// (optional) is called as each job ends.
void run_jobs(const std::vector<std::vector<std::string>>& worker_args, int jobs, const std::string& what,
              const std::function<void(size_t)>& in_process, const std::function<void()>& after_each = {}) {
  if (worker_args.empty()) return;
  if (jobs == 1) {
    for (size_t k = 0; k < worker_args.size(); ++k) {
      in_process(k);
      if (after_each) after_each();
    }
    return;
  }
  const auto codes = attn::io::run_self_in_parallel(worker_args, jobs, "attn-multihead", [&](size_t, int) {
    if (after_each) after_each();
  });
  for (size_t k = 0; k < codes.size(); ++k)
    attn::check(codes[k] == 0, "{}: worker {} failed (exit {}); rerun with --resume to continue", what, k, codes[k]);
}

std::vector<attn::plot::ScreenedDraw> screened_draws(const std::vector<tasks::HeadResult>& results) {
  std::vector<attn::plot::ScreenedDraw> draws;
  for (const auto& r : results)
    draws.push_back({r.draw, tasks::head_class_name(r.head_class), r.runs.empty() ? 0.0 : r.runs.front().final_acc});
  return draws;
}

int64_t trial_total(const tasks::MultiheadExperimentConfig& config) {
  return config.trials.count * static_cast<int64_t>(config.trials.combinations.size());
}

// Over all the invocations that made the experiment, resumes included.
std::string cost_section(const fs::path& out_dir) {
  return "## Cost\n\n" + attn::io::format_run_costs({{"screening", attn::io::read_run_spans(out_dir / "screening")},
                                                       {"trials", attn::io::read_run_spans(out_dir / "trials")}}) +
         "\n";
}

// Summary and figures from what is on disk, so they are the same after a
// resume. Trials not finished yet are left out: with `seconds` unset this is
// `--report` on an experiment that may still run, and the last line says how
// far it got; otherwise it gives the invocation's wall time.
void write_summary(const tasks::MultiheadExperimentConfig& config, const fs::path& out_dir,
                   std::optional<double> seconds) {
  const auto screened = tasks::read_screening_results(out_dir);
  const auto tally = tasks::tally_screening(screened, config.screening);
  std::vector<tasks::CombinationSummary> summaries;
  std::vector<attn::plot::CombinationCurves> curves;
  std::vector<attn::plot::HeadAccuracyPanel> panels;
  std::vector<tasks::TrialHeads> trial_heads;
  int64_t finished = 0;
  for (auto c : config.trials.combinations) {
    tasks::CombinationSummary summary{c, {}};
    attn::plot::CombinationCurves curve{tasks::combination_name(c), {}};
    for (int64_t i = 0; i < config.trials.count; ++i) {
      const fs::path dir = tasks::trial_directory(out_dir, c, i);
      if (!tasks::seed_finished(dir)) continue;
      auto history = tasks::read_history(dir);
      summary.trials.push_back(tasks::summarize_trial(i, history, config.screening.good_threshold));
      const auto plan = tasks::plan_trial(config, c, i);
      trial_heads.push_back(tasks::read_trial_heads(plan, history));
      if (c == Combination::kBadPlusGood && panels.size() < 4) {
        panels.push_back({fmt::format("bad+good trial {} (good head in slot {})", i, plan.good_slot), history,
                          plan.good_slot});
      }
      curve.histories.push_back(std::move(history));
    }
    if (summary.trials.empty()) continue;
    finished += static_cast<int64_t>(summary.trials.size());
    summaries.push_back(std::move(summary));
    curves.push_back(std::move(curve));
  }
  const bool all_done = tally.draws_needed >= 0 && finished == trial_total(config);
  const std::string closing =
      seconds ? fmt::format("Wall time of this invocation: {:.0f} s.", *seconds)
              : fmt::format("Report of {} (attn-multihead --report): screening {}, {} of {} trials finished{}.",
                            out_dir.string(), tally.draws_needed >= 0 ? "complete" : "in progress", finished,
                            trial_total(config), all_done ? "" : "; the experiment resumes with --resume");
  std::string text = fmt::format("# attn-multihead summary: {}\n\n## Screening (single heads on the fixed base)\n\n{}\n"
                                 "![screening](screening.png)\n\n## Trials\n\n{}\n{}{}\n",
                                 config.copy.name, tasks::format_screening(tally, config.screening),
                                 summaries.empty() ? std::string("No trial has finished yet.\n")
                                                   : tasks::format_trials(summaries, config),
                                 trial_heads.empty() ? std::string()
                                                     : "## Heads\n\n" + tasks::format_trial_heads(trial_heads) + "\n",
                                 cost_section(out_dir) + closing);
  fmt::print("{}\n", text);
  attn::io::write_file_atomic(out_dir / "summary.md", text);
  attn::io::write_file_atomic(out_dir / "trials.csv", tasks::trials_csv(summaries, config));
  attn::io::write_file_atomic(out_dir / "trial_heads.csv", tasks::trial_heads_csv(trial_heads));
  auto announce = [](bool rendered, const fs::path& png) {
    if (rendered) fmt::print("figure: {}\n", png.string());
  };
  const auto& s = config.screening;
  announce(attn::plot::render_screening(out_dir / "screening.png", screened_draws(screened), s.good_threshold,
                                        s.bad_threshold, s.good, s.bad),
           out_dir / "screening.png");
  if (!curves.empty())
    announce(attn::plot::render_combination_curves(out_dir / "learning_curves.png", curves, s.good_threshold),
             out_dir / "learning_curves.png");
  if (!panels.empty())
    announce(attn::plot::render_head_accuracy(out_dir / "head_accuracy.png", panels), out_dir / "head_accuracy.png");
}

int app_main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  cxxopts::Options cli("attn-multihead", "Multi-head copy experiment (Snell et al. Section 5.2): screens single "
                                         "heads on a fixed base, then trains bad / bad+good / random combinations.");
  cli.add_options()
      ("c,config", "experiment YAML (experiments/multihead/*.yaml)", cxxopts::value<std::string>())
      ("o,out", "run folder (default runs/multihead-<name>)", cxxopts::value<std::string>()->default_value(""))
      ("resume", "continue the experiment found in --out")
      ("report", "write the summary and figures of the experiment in --out as far as it has got (it may be running); "
                 "trains nothing. --config defaults to its recorded config.yaml")
      ("device", "auto | cpu | cuda | cuda:N", cxxopts::value<std::string>()->default_value("auto"))
      ("threads", "intra-op threads in total (0 = all cores)", cxxopts::value<int>()->default_value("0"))
      ("jobs", "runs trained at once in worker processes (0 = one per thread on CPU, 1 on CUDA)",
       cxxopts::value<int>()->default_value("0"))
      ("progress", "print a line at every evaluation of every run")
      ("worker-screen", "(internal) run one screening worker")
      ("worker-trial", "(internal) train one trial, <combination>:<index>", cxxopts::value<std::string>())
      ("h,help", "show this help");
  const std::vector<std::string> command_line(argv, argv + argc);
  auto args = cli.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}\n", cli.help());
    return 0;
  }
  if (args.count("report")) {
    attn::check(!args["out"].as<std::string>().empty(), "--report: expected --out, the experiment folder to report on");
    const fs::path out_dir(args["out"].as<std::string>());
    const std::string recorded = attn::io::recorded_config(out_dir);
    attn::check(!recorded.empty(), "{}: no experiment recorded there (no config.yaml); nothing to report", out_dir.string());
    const auto config = tasks::load_multihead_experiment(
        args.count("config") ? args["config"].as<std::string>() : (out_dir / "config.yaml").string());
    attn::check(config.resolved_yaml == recorded, "{}: holds an experiment of a different config than --config",
                out_dir.string());
    write_summary(config, out_dir, std::nullopt);  // reads what is there, trains nothing
    return 0;
  }
  attn::check(args.count("config") > 0, "--config: expected an experiment YAML (see --help)");
  const auto config = tasks::load_multihead_experiment(args["config"].as<std::string>());
  const fs::path out_dir(args["out"].as<std::string>().empty() ? "runs/multihead-" + config.copy.name
                                                                : args["out"].as<std::string>());
  if (args.count("worker-screen") || args.count("worker-trial")) {
    const auto options = run_options(args, attn::configure_threads(args["threads"].as<int>()), command_line);
    if (args.count("worker-screen")) {
      tasks::run_screening_worker(config, out_dir, options);
    } else {
      const auto [combination, trial] = parse_trial_id(args["worker-trial"].as<std::string>());
      tasks::run_trial(config, out_dir, tasks::plan_trial(config, combination, trial), options);
    }
    return 0;
  }

  // The experiment folder holds one config; resuming checks it is the same.
  const bool resume = args.count("resume") > 0;
  const std::string previous = attn::io::recorded_config(out_dir);
  attn::check(previous.empty() || resume, "{}: already holds an experiment; pass --resume to continue it or choose "
                                          "another --out", out_dir.string());
  attn::check(previous.empty() || previous == config.resolved_yaml,
              "{}: holds an experiment of a different config (compare its config.yaml); refusing to mix them",
              out_dir.string());
  const auto device = attn::resolve_device(args["device"].as<std::string>());
  const int total_threads = attn::configure_threads(args["threads"].as<int>());
  int jobs = args["jobs"].as<int>();
  attn::check(jobs >= 0, "--jobs: expected 0 (auto) or a positive count, got {}", jobs);
  if (jobs == 0) jobs = device.is_cuda() ? 1 : total_threads;
  const int threads_per_job = std::max(1, total_threads / jobs);
  attn::io::write_run_record(out_dir, {config.resolved_yaml, config.base_seed,
                                       attn::describe_device(device, total_threads), total_threads, command_line,
                                       config.copy.name});
  fmt::print(stderr, "[attn-multihead] {} on {}, {} job(s) x {} thread(s) -> {}\n", config.copy.name,
             attn::describe_device(device, total_threads), jobs, threads_per_job, out_dir.string());
  if (jobs == 1) attn::configure_threads(threads_per_job);
  const auto options = run_options(args, threads_per_job, command_line);
  const std::string config_path = (out_dir / "config.yaml").string();
  auto worker = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = {"--config", config_path, "--out", out_dir.string(), "--device", device.str(),
                                  "--threads", std::to_string(threads_per_job)};
    if (options.progress) a.push_back("--progress");
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };

  // 1. The fixed base: every run of the experiment starts from these weights.
  const fs::path base = tasks::fixed_base_path(out_dir);
  if (!fs::exists(base)) tasks::make_fixed_base(config.copy.model, config.base_seed, base);

  // 2. Screening: each worker takes the lowest draw not finished or claimed.
  // It is done when the draws 0..n-1, all finished, hold the quotas: a killed
  // run may have finished later draws and not earlier ones.
  if (tasks::tally_screening(tasks::read_screening_results(out_dir), config.screening).draws_needed < 0) {
    tasks::reset_screening_claims(out_dir);  // a killed session's claims are void
    const std::vector<std::vector<std::string>> screen_args(jobs, worker({"--worker-screen"}));
    run_jobs(screen_args, jobs, "screening", [&](size_t) { tasks::run_screening_worker(config, out_dir, options); });
  }
  const auto tally = tasks::finish_screening(config, out_dir);
  fmt::print(stderr, "[attn-multihead] screening: {} heads screened, {} good, {} bad, {} discarded, {} unverified\n",
             tally.screened, tally.good, tally.bad, tally.discarded, tally.unverified);

  // 3. The combination trials, one run each.
  std::vector<std::vector<std::string>> trial_args;
  std::vector<tasks::TrialPlan> plans;
  for (int64_t i = 0; i < config.trials.count; ++i)  // interleaved, so partial results cover every combination
    for (auto c : config.trials.combinations) {
      if (tasks::seed_finished(tasks::trial_directory(out_dir, c, i))) continue;
      plans.push_back(tasks::plan_trial(config, c, i));
      trial_args.push_back(worker({"--worker-trial", fmt::format("{}:{}", tasks::combination_name(c), i)}));
    }
  // Trials take minutes each and all cost about the same, so the rate so far
  // gives the time left.
  const int64_t total = trial_total(config);
  const int64_t before = total - static_cast<int64_t>(plans.size());
  const auto trials_start = std::chrono::steady_clock::now();
  int64_t finished = 0;
  auto trial_progress = [&] {
    ++finished;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - trials_start).count();
    const double left = elapsed / static_cast<double>(finished) * static_cast<double>(plans.size() - finished);
    fmt::print(stderr, "[attn-multihead] trials: {} of {} done ({:.1f} min per trial per worker, {} worker(s); ~{:.1f} h left)\n",
               before + finished, total, elapsed / 60.0 / static_cast<double>(finished) * jobs, jobs, left / 3600.0);
  };
  run_jobs(
      trial_args, jobs, "trials", [&](size_t k) { tasks::run_trial(config, out_dir, plans[k], options); },
      trial_progress);

  // 4. Summary and figures.
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_summary(config, out_dir, seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  attn::ensure_fast_runtime(argc, argv);
  return attn::run_app("attn-multihead", [&] { return app_main(argc, argv); });
}
