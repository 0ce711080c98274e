// The shared command line (see attn/cli/command_line.h).
#include "attn/cli/command_line.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <thread>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/files.h"
#include "attn/io/run_record.h"

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
  if (flags & kDevice) out.insert(out.end(), {"--device", slurm ? device_flag : device.str()});
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
  if (flags_ & kLauncher) {
    add("launcher", "local (train here) | slurm (submit the run set as sbatch job arrays; docs/cluster.md)",
        cxxopts::value<std::string>()->default_value("local"));
    add("partition", "slurm: sbatch --partition", cxxopts::value<std::string>());
    add("account", "slurm: sbatch --account", cxxopts::value<std::string>());
    add("time", "slurm: time limit of each task (sbatch --time, e.g. 04:00:00)", cxxopts::value<std::string>());
    add("gres", "slurm: generic resources of each task (sbatch --gres, e.g. gpu:1)", cxxopts::value<std::string>());
    add("sbatch-option", "slurm: one more sbatch option, verbatim (repeatable): --sbatch-option=--qos=long",
        cxxopts::value<std::vector<std::string>>());
    add("dry-run", "slurm: prepare the run folder and write and print the scripts, submit nothing");
  }
  add("h,help", "show this help");
}

namespace {

struct FlagInfo {
  bool takes_value = false;
  std::string default_value;
};

// What cxxopts knows of each flag, by every spelling ("--seeds", "-c").
std::map<std::string, FlagInfo> known_flags(const cxxopts::Options& options) {
  std::map<std::string, FlagInfo> flags;
  for (const auto& group : options.groups())
    for (const auto& o : options.group_help(group).options) {
      const FlagInfo info{!o.is_boolean, o.has_default ? o.default_value : std::string()};
      if (!o.s.empty()) flags["-" + o.s] = info;
      for (const auto& name : o.l) flags["--" + name] = info;
    }
  return flags;
}

bool looks_like_flag(const std::string& token) {
  // "-1" is a (bad) number for a flag, not a flag: the flag's own check names it.
  return token.size() > 1 && token[0] == '-' && !(std::isdigit(static_cast<unsigned char>(token[1])) || token[1] == '.');
}

}  // namespace

cxxopts::ParseResult parse_flags(cxxopts::Options& options, int argc, const char* const* argv) {
  const auto flags = known_flags(options);
  // Walk argv first, as cxxopts would, to know which flag each value belongs
  // to: cxxopts takes the next token as a value even when it is a flag, and
  // its type errors do not name the flag.
  std::vector<std::pair<std::string, std::string>> values;  // (flag, value)
  for (int i = 1; i < argc; ++i) {
    const std::string token = argv[i];
    // No app takes positional arguments: a stray word is a mistake (a value
    // meant for a flag), not something to ignore.
    check(looks_like_flag(token), "'{}': unexpected argument (flags start with --; see --help)", token);
    const auto equals = token.find('=');
    const std::string name = token.substr(0, equals);
    const auto found = flags.find(name);
    check(found != flags.end(), "{}: unknown flag (see --help)", name);
    if (!found->second.takes_value) {
      check(equals == std::string::npos, "{}: takes no value, got '{}'", name, token.substr(equals + 1));
      continue;
    }
    if (equals != std::string::npos) {
      values.emplace_back(name, token.substr(equals + 1));
      continue;
    }
    check(i + 1 < argc, "{}: expected a value after it", name);
    check(!looks_like_flag(argv[i + 1]), "{}: expected a value, got the flag {}", name, argv[i + 1]);
    values.emplace_back(name, argv[++i]);
  }
  try {
    return options.parse(argc, argv);
  } catch (const cxxopts::exceptions::incorrect_argument_type& e) {
    // "Argument 'abc' failed to parse": find whose value it was.
    const std::string message = e.what();
    // cxxopts quotes the value as 'abc' or, in newer versions, as ‘abc’.
    for (const auto& [flag, value] : values) {
      if (message.find("'" + value + "'") == std::string::npos &&
          message.find("\u2018" + value + "\u2019") == std::string::npos)
        continue;
      // Only numeric flags fail to parse here (strings take anything, and
      // switches take no value).
      throw Error(fmt::format("{}: expected a number, got '{}'", flag, value));
    }
    throw Error(fmt::format("{} (see --help)", message));
  } catch (const cxxopts::exceptions::exception& e) {
    throw Error(fmt::format("{} (see --help)", e.what()));
  }
}

namespace {
// Whether a run folder holds anything --resume continues from: a checkpoint
// or a finished run's done marker, at any depth.
bool has_progress(const std::filesystem::path& folder) {
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename();
    if (name == "checkpoint.pt" || name == io::kDoneMarker) return true;
  }
  return false;
}
}  // namespace

int max_threads() {
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware == 0 ? 1024 : static_cast<int>(std::min(4u * hardware, 1024u));
}

bool CommandLine::parse(int argc, char** argv) {
  common_.command_line.assign(argv, argv + argc);
  common_.flags = flags_;
  args_ = std::make_unique<cxxopts::ParseResult>(parse_flags(options_, argc, argv));
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
  if (common_.resume) {
    // Resuming nothing is a typo in --out more often than a wish to start afresh.
    check(common_.out.empty() || std::filesystem::is_directory(common_.out),
          "--resume: {}: no such run folder to continue (leave out --resume to start one)", common_.out.string());
    if (!common_.out.empty() && !has_progress(common_.out))
      fmt::print(stderr, "note: --resume: {} holds no checkpoint or finished run yet; starting fresh\n",
                 common_.out.string());
  }
  if (flags_ & kOverrides) {
    if (has("set")) common_.overrides = args()["set"].as<std::vector<std::string>>();
    for (const auto& o : common_.overrides) io::split_override(o);  // checks the form early
    common_.print_config = has("print-config");
  }
  if (flags_ & kDevice) {
    common_.device_flag = args()["device"].as<std::string>();
    // A submission (--launcher slurm) passes --device on to the tasks: the
    // login node need not have the GPU the compute nodes have.
    const bool submitting = (flags_ & kLauncher) && args()["launcher"].as<std::string>() == "slurm";
    common_.device = submitting ? c10::Device(c10::kCPU) : resolve_device(common_.device_flag);
  }
  if (flags_ & kThreads) {
    common_.threads = args()["threads"].as<int>();
    check(common_.threads >= 0 && common_.threads <= max_threads(),
          "--threads: expected 0 (the CPUs this process may use) or a count up to {} (4x the hardware threads), got {}",
          max_threads(), common_.threads);
  }
  if (flags_ & kJobs) {
    common_.jobs = args()["jobs"].as<int>();
    check(common_.jobs >= 0 && common_.jobs <= max_threads(),
          "--jobs: expected 0 (auto) or a count up to {} (4x the hardware threads), got {}", max_threads(),
          common_.jobs);
  }
  common_.quiet = (flags_ & kQuiet) && has("quiet");
  if (flags_ & kLauncher) parse_launcher();
  return true;
}

namespace {
// Every value of `flag` in argv as written ("--sbatch-option=--mail-type=END,FAIL"
// or "--sbatch-option X"): cxxopts splits a list flag's values at commas.
std::vector<std::string> raw_values(const std::vector<std::string>& argv, const std::string& flag) {
  std::vector<std::string> values;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "--") break;
    if (argv[i].rfind(flag + "=", 0) == 0) values.push_back(argv[i].substr(flag.size() + 1));
    else if (argv[i] == flag && i + 1 < argv.size()) values.push_back(argv[++i]);
  }
  return values;
}
}  // namespace

void CommandLine::parse_launcher() {
  const std::string launcher = args()["launcher"].as<std::string>();
  check(launcher == "local" || launcher == "slurm", "--launcher: expected local or slurm, got '{}'", launcher);
  const char* site_flags[] = {"partition", "account", "time", "gres", "sbatch-option", "dry-run"};
  if (launcher == "local") {
    for (const char* flag : site_flags)
      check(!has(flag), "--{}: only with --launcher slurm", flag);
    return;
  }
  io::SlurmOptions slurm;
  auto text = [&](const char* flag, std::string* field) {
    if (!has(flag)) return;
    *field = args()[flag].as<std::string>();
    check(!field->empty() && field->find('\n') == std::string::npos, "--{}: expected a value on one line, got '{}'",
          flag, *field);
  };
  text("partition", &slurm.partition);
  text("account", &slurm.account);
  text("time", &slurm.time);
  text("gres", &slurm.gres);
  slurm.sbatch_options = raw_values(common_.command_line, "--sbatch-option");
  for (const auto& option : slurm.sbatch_options)
    check(option.rfind("--", 0) == 0 && option.find('\n') == std::string::npos,
          "--sbatch-option: expected one sbatch option starting with -- (as in --sbatch-option=--qos=long), got '{}'",
          option);
  slurm.dry_run = has("dry-run");
  common_.slurm = slurm;
}

void CommandLine::add_override(const std::string& assignment) {
  io::split_override(assignment);
  common_.overrides.push_back(assignment);
}

void print_configs(const std::vector<std::string>& resolved_yaml) {
  for (size_t i = 0; i < resolved_yaml.size(); ++i) fmt::print("{}{}", i > 0 ? "---\n" : "", resolved_yaml[i]);
}

}  // namespace attn::cli
