// attn-toy: integrates the gradient flow of the gated keyword toy (the
// paper's Section 2 warm-up; model in attn/toy/gated_keyword.h) from a start
// (beta_0, beta_1, p), prints when the betas separate and when attention
// moves, and writes trajectory.csv and trajectory.png to --out.
//
//   attn-toy --preset paper --out runs/toy-paper
//   attn-toy --preset wrong-sign --time 40 --out runs/toy-wrong-sign
//   attn-toy --beta0 0.2 --beta1 -0.1 --p 0.3 --dt 0.005 --steps 8000 --out runs/toy
#include <cxxopts.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "attn/cli/command_line.h"
#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/files.h"
#include "attn/plot/toy_figures.h"
#include "attn/toy/gated_keyword.h"

namespace {

namespace fs = std::filesystem;
using attn::check;
using attn::toy::GatedKeywordState;
using attn::toy::TrajectorySummary;

// The whole trajectory is kept in memory (about 50 bytes a step) before it is
// thinned for the CSV: ten million steps (--time 100000 at the default --dt)
// stay under a gigabyte, and the question the toy asks is settled by t = 100.
constexpr long kMaxSteps = 10'000'000;

GatedKeywordState preset_start(const std::string& name) {
  if (name == "paper") return attn::toy::paper_start();
  if (name == "wrong-sign") return attn::toy::wrong_sign_start();
  throw attn::Error(fmt::format("--preset: expected paper or wrong-sign, got '{}'", name));
}

// cxxopts 3 only parses long names of two or more letters, so "--p" would be
// rejected; rewrite "--p X" / "--p=X" to the short form "-p X" it understands.
std::vector<std::string> spell_p_short(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--p") {
      args.push_back("-p");
    } else if (arg.rfind("--p=", 0) == 0) {
      args.push_back("-p");
      args.push_back(arg.substr(4));
    } else {
      args.push_back(arg);
    }
  }
  return args;
}

int run(int argc, char** argv) {
  cxxopts::Options options("attn-toy",
                           "Gradient flow of the gated keyword toy (paper Section 2 warm-up): "
                           "do the per-token scores separate before attention moves?");
  // clang-format off
  options.add_options()
    ("preset", "start: paper (beta0 = beta1 = 0, p = 1/2) or wrong-sign (beta0 = -1, beta1 = 0, "
              "p = 1/2); --beta0/--beta1/--p override it", cxxopts::value<std::string>())
    ("beta0", "initial score of the keyword (position 0)", cxxopts::value<double>())
    ("beta1", "initial score of the filler (position 1)", cxxopts::value<double>())
    ("p", "initial attention on the keyword, in (0, 1); also spelt --p", cxxopts::value<double>())
    ("dt", "RK4 step size", cxxopts::value<double>()->default_value("0.01"))
    ("steps", "number of RK4 steps (default: --time / --dt)", cxxopts::value<long>())
    ("time", "horizon; used when --steps is not given", cxxopts::value<double>()->default_value("30"))
    ("stride", "write every stride-th step to trajectory.csv", cxxopts::value<long>()->default_value("10"))
    ("beta-gap", "threshold on beta0 - beta1 for 'the betas have separated'", cxxopts::value<double>()->default_value("0.1"))
    ("p-shift", "threshold on |p - p(0)| for 'attention has moved'", cxxopts::value<double>()->default_value("0.01"))
    ("freeze-attention", "keep p at its start (the paper's uniform model when p = 1/2)")
    ("out", "output directory for trajectory.csv and trajectory.png", cxxopts::value<std::string>())
    ("h,help", "print this help");
  // clang-format on
  const std::vector<std::string> argv_fixed = spell_p_short(argc, argv);
  std::vector<const char*> argv_ptrs;
  for (const std::string& arg : argv_fixed) argv_ptrs.push_back(arg.c_str());
  const cxxopts::ParseResult args = attn::cli::parse_flags(options, static_cast<int>(argv_ptrs.size()), argv_ptrs.data());
  if (args.count("help")) {
    fmt::print("{}\n", options.help());
    return 0;
  }
  check(args.unmatched().empty(), "unexpected argument '{}'; see --help",
        args.unmatched().empty() ? "" : args.unmatched().front());
  check(args.count("out") == 1, "--out: expected an output directory, got none");

  const std::string preset = args.count("preset") ? args["preset"].as<std::string>() : "paper";
  GatedKeywordState start = preset_start(preset);
  if (args.count("beta0")) start.beta0 = args["beta0"].as<double>();
  if (args.count("beta1")) start.beta1 = args["beta1"].as<double>();
  if (args.count("p")) start.p = args["p"].as<double>();
  check(std::isfinite(start.beta0), "--beta0: expected a finite number, got {}", start.beta0);
  check(std::isfinite(start.beta1), "--beta1: expected a finite number, got {}", start.beta1);
  check(std::isfinite(start.p) && start.p > 0.0 && start.p < 1.0,
        "--p: expected an attention weight strictly between 0 and 1, got {}", start.p);

  attn::toy::FlowOptions flow;
  flow.dt = args["dt"].as<double>();
  check(std::isfinite(flow.dt) && flow.dt > 0.0, "--dt: expected a positive step size, got {}", flow.dt);
  if (args.count("steps")) {
    check(args.count("time") == 0, "--steps and --time: give one of them, not both");
    flow.steps = args["steps"].as<long>();
    check(flow.steps <= kMaxSteps, "--steps: expected at most {} RK4 steps, got {}", kMaxSteps, flow.steps);
  } else {
    const double horizon = args["time"].as<double>();
    check(std::isfinite(horizon) && horizon > 0.0, "--time: expected a positive horizon, got {}", horizon);
    check(horizon / flow.dt <= static_cast<double>(kMaxSteps),
          "--time: expected at most {} RK4 steps (--time / --dt = {} / {} = {:g})", kMaxSteps, horizon, flow.dt,
          horizon / flow.dt);
    flow.steps = std::lround(horizon / flow.dt);
  }
  check(flow.steps > 0, "--steps: expected a positive number of steps, got {}", flow.steps);
  const long stride = args["stride"].as<long>();
  check(stride > 0, "--stride: expected a positive stride, got {}", stride);
  const double beta_gap = args["beta-gap"].as<double>();
  const double p_shift = args["p-shift"].as<double>();
  check(beta_gap > 0.0, "--beta-gap: expected a positive threshold, got {}", beta_gap);
  check(p_shift > 0.0 && p_shift < 1.0, "--p-shift: expected a threshold in (0, 1), got {}", p_shift);
  flow.freeze_attention = args.count("freeze-attention") > 0;
  const fs::path out_dir = args["out"].as<std::string>();

  // Integrate at full resolution (cheap); thin only when writing the CSV.
  const auto trajectory = attn::toy::integrate_gradient_flow(start, flow);
  const TrajectorySummary summary =
      attn::toy::summarize(trajectory, beta_gap, p_shift, flow.freeze_attention);

  fmt::print("start: beta0 = {}, beta1 = {}, p = {}  (preset {}, loss {:.6f})\n", start.beta0,
             start.beta1, start.p, args.count("preset") ? preset : "none",
             trajectory.front().loss);
  fmt::print("flow: RK4, dt = {}, {} steps, horizon t = {}{}\n", flow.dt, flow.steps,
             trajectory.back().t, flow.freeze_attention ? ", attention frozen" : "");
  fmt::print("{}", attn::toy::describe_summary(summary, beta_gap, p_shift));

  attn::io::ensure_directory(out_dir);
  const fs::path csv = out_dir / "trajectory.csv";
  const fs::path png = out_dir / "trajectory.png";
  attn::io::write_file_atomic(csv, attn::toy::trajectory_csv(trajectory, stride));
  const std::string title =
      fmt::format("gated keyword toy: start beta0={}, beta1={}, p={}{}", start.beta0, start.beta1,
                  start.p, flow.freeze_attention ? " (attention frozen)" : "");
  // The script names the CSV by the path given with --out (gnuplot runs in the
  // current directory), so rerun it from the same place to restyle the figure.
  const bool drawn =
      attn::plot::render_toy_trajectory(csv, png, title, summary, trajectory.back().t, beta_gap, p_shift);
  fmt::print("wrote {}{}\n", csv.string(), drawn ? fmt::format(" and {}", png.string()) : "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return attn::run_app("attn-toy", [&] { return run(argc, argv); });
}
