// The shared command line (see attn/cli/command_line.h).
#include "attn/cli/command_line.h"

#include <fmt/format.h>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/files.h"

namespace attn::cli {

train::RunContext CommonOptions::run_context(int run_threads) const {
  train::RunContext context;
  context.device = device;
  context.threads = run_threads;
  context.progress = !quiet;
  context.command_line = command_line;
  context.overrides = overrides;
  return context;
}

std::vector<std::string> CommonOptions::worker_flags(int worker_threads) const {
  std::vector<std::string> out;
  if (flags & kDevice) out.insert(out.end(), {"--device", device.str()});
  if (flags & kThreads) out.insert(out.end(), {"--threads", std::to_string(worker_threads)});
  if (quiet) out.push_back("--quiet");
  for (const auto& o : overrides) out.insert(out.end(), {"--set", o});
  return out;
}

io::ConfigNode CommonOptions::load_config(const std::string& path) const {
  return io::ConfigNode::load_file(path, overrides);
}

CommandLine::CommandLine(std::string program, const std::string& description, unsigned flags)
    : program_(std::move(program)), flags_(flags), options_(program_, description) {
  auto add = options_.add_options();
  if (flags_ & kConfigs)
    add("c,config", "experiment YAML (repeat to run several side by side)", cxxopts::value<std::vector<std::string>>());
  else if (flags_ & kConfig)
    add("c,config", "experiment YAML", cxxopts::value<std::vector<std::string>>());
  if (flags_ & kOut) add("o,out", "run folder", cxxopts::value<std::string>()->default_value(""));
  if (flags_ & kResume) add("resume", "continue the runs found in --out from their checkpoints");
  if (flags_ & kOverrides) {
    add("set", "override a config key before it is checked, e.g. --set train.steps=50 (repeatable)",
        cxxopts::value<std::vector<std::string>>());
    add("print-config", "print the resolved config (every default filled in, --set applied) and exit");
  }
  if (flags_ & kDevice)
    add("device", "auto | cpu | cuda | cuda:N", cxxopts::value<std::string>()->default_value("auto"));
  if (flags_ & kThreads)
    add("threads", "intra-op threads in total (0 = the CPUs this process may use)",
        cxxopts::value<int>()->default_value("0"));
  if (flags_ & kJobs)
    add("jobs", "runs trained at once in worker processes (0 = one per thread on CPU, 1 on CUDA)",
        cxxopts::value<int>()->default_value("0"));
  if (flags_ & kQuiet) add("quiet", "no per-evaluation progress lines");
  add("h,help", "show this help");
}

bool CommandLine::parse(int argc, char** argv) {
  common_.command_line.assign(argv, argv + argc);
  common_.flags = flags_;
  args_ = std::make_unique<cxxopts::ParseResult>(options_.parse(argc, argv));
  if (has("help")) {
    fmt::print("{}\n", options_.help());
    return false;
  }
  if (flags_ & (kConfig | kConfigs) && has("config")) {
    common_.configs = args()["config"].as<std::vector<std::string>>();
    check(flags_ & kConfigs || common_.configs.size() == 1, "--config: expected one experiment YAML, got {}",
          common_.configs.size());
  }
  if (flags_ & kOut) common_.out = args()["out"].as<std::string>();
  common_.resume = (flags_ & kResume) && has("resume");
  if (flags_ & kOverrides) {
    if (has("set")) common_.overrides = args()["set"].as<std::vector<std::string>>();
    for (const auto& o : common_.overrides) io::split_override(o);  // checks the form early
    common_.print_config = has("print-config");
  }
  if (flags_ & kDevice) common_.device = resolve_device(args()["device"].as<std::string>());
  if (flags_ & kThreads) {
    common_.threads = args()["threads"].as<int>();
    check(common_.threads >= 0, "--threads: expected 0 (the CPUs this process may use) or a positive count, got {}",
          common_.threads);
  }
  if (flags_ & kJobs) {
    common_.jobs = args()["jobs"].as<int>();
    check(common_.jobs >= 0, "--jobs: expected 0 (auto) or a positive count, got {}", common_.jobs);
  }
  common_.quiet = (flags_ & kQuiet) && has("quiet");
  return true;
}

void CommandLine::add_override(const std::string& assignment) {
  io::split_override(assignment);
  common_.overrides.push_back(assignment);
}

void print_configs(const std::vector<std::string>& resolved_yaml) {
  for (size_t i = 0; i < resolved_yaml.size(); ++i) fmt::print("{}{}", i > 0 ? "---\n" : "", resolved_yaml[i]);
}

}  // namespace attn::cli
