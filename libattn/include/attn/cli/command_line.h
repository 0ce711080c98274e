// The command line every app shares (the top library layer, above tasks):
// the flags each experiment app has, defined and validated once, plus the
// app's own flags added through options().
//
//   -c/--config PATH      experiment YAML (repeatable where the app runs several)
//   -o/--out DIR          run folder
//   --resume              continue the runs found in --out
//   --set key.path=value  override a config key before validation (repeatable;
//                         a typo is still an unknown-key error); recorded in
//                         the resolved config.yaml and in run.json
//   --print-config        print the resolved config(s) and exit
//   --device auto|cpu|cuda|cuda:N
//   --threads N           intra-op threads in total (0 = the CPUs this process
//                         may use: its affinity, as under a batch scheduler)
//   --jobs N              runs trained at once in worker processes
//                         (0 = one per thread on CPU, 1 on CUDA)
//   --quiet               no per-evaluation progress lines
//   --launcher local|slurm  train here (default) or submit the run set to Slurm
//                         (attn/io/slurm.h), with --partition, --account, --time,
//                         --gres, --sbatch-option=OPTION (repeatable), --dry-run
// --threads and --jobs are bounded by max_threads(); --resume needs an
// existing --out (a folder without checkpoints starts fresh, with a note).
// Errors are attn::Error naming the flag ("--jobs: expected ..."); run_app
// turns them into a one-line message and exit code 2.
#pragma once

#include <c10/core/Device.h>

#include <cxxopts.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attn/io/config.h"
#include "attn/io/slurm.h"
#include "attn/train/recorded_run.h"

namespace attn::cli {

/// Which of the shared flags an app has (bitwise or).
enum Flag : unsigned {
  kConfig = 1u << 0,     ///< --config, once
  kConfigs = 1u << 1,    ///< --config, repeatable
  kOut = 1u << 2,        ///< --out
  kResume = 1u << 3,     ///< --resume
  kOverrides = 1u << 4,  ///< --set and --print-config
  kDevice = 1u << 5,     ///< --device
  kThreads = 1u << 6,    ///< --threads
  kJobs = 1u << 7,       ///< --jobs
  kQuiet = 1u << 8,      ///< --quiet
  kLauncher = 1u << 9,   ///< --launcher and the Slurm site options
  /// What an app that trains a run set has.
  kTrainingApp = kConfig | kOut | kResume | kOverrides | kDevice | kThreads | kJobs | kQuiet | kLauncher,
};

/// The shared flags, parsed and checked.
struct CommonOptions {
  std::vector<std::string> configs;  ///< --config paths, in order
  std::filesystem::path out;         ///< empty when not given
  bool resume = false;
  c10::Device device = c10::kCPU;  ///< --device, resolved (CPU when submitting to Slurm)
  std::string device_flag;         ///< --device as given ("auto"), what Slurm tasks get
  int threads = 0;                 ///< --threads as given (0 = usable CPUs)
  int jobs = 0;                    ///< --jobs as given (0 = automatic)
  bool quiet = false;
  std::vector<std::string> overrides;  ///< --set, in order
  bool print_config = false;
  /// Set with --launcher slurm: submit the run set instead of training it here.
  std::optional<io::SlurmOptions> slurm;
  std::vector<std::string> command_line;  ///< argv, for run.json
  unsigned flags = 0;                     ///< which shared flags the app has (Flag bits)

  /// What one run needs to know of them, at `threads` threads.
  train::RunContext run_context(int threads) const;
  /// The shared flags a worker process of this program gets, so that it runs
  /// like its parent: --device, --threads `threads`, --quiet, --set ... (those the app has)
  std::vector<std::string> worker_flags(int threads) const;
  /// Loads a config file with the --set overrides applied (errors name the file).
  io::ConfigNode load_config(const std::string& path) const;
};

class CommandLine {
 public:
  CommandLine(std::string program, const std::string& description, unsigned flags);

  /// Adds the app's own flags: command_line.options().add_options()(...).
  cxxopts::Options& options() { return options_; }

  /// Parses and checks argv. Returns false when --help was asked for (the
  /// help is printed; exit 0).
  bool parse(int argc, char** argv);

  /// Adds an override as if given with --set (an app's shorthand flag, such
  /// as attn-copy's --seeds N for --set seeds=N), after those on the command line.
  void add_override(const std::string& assignment);

  const cxxopts::ParseResult& args() const { return *args_; }
  const CommonOptions& common() const { return common_; }
  bool has(const std::string& flag) const { return args_->count(flag) > 0; }

 private:
  void parse_launcher();

  std::string program_;
  unsigned flags_;
  cxxopts::Options options_;
  std::unique_ptr<cxxopts::ParseResult> args_;
  CommonOptions common_;
};

/// Parses argv with `options` (an app's own or CommandLine's), turning every
/// cxxopts error into an attn::Error that names the flag and what it expects:
/// "--seeds: expected a value, got the flag --out", "--threads: expected a
/// number, got 'abc'". Every app parses through here.
cxxopts::ParseResult parse_flags(cxxopts::Options& options, int argc, const char* const* argv);

/// The most intra-op threads (and worker processes) an app accepts: 4x the
/// hardware threads, at most 1024. More only oversubscribes the CPUs, and tens
/// of thousands of threads exhaust the process.
int max_threads();

/// Prints each resolved config (a YAML document per config) on stdout: what
/// --print-config shows.
void print_configs(const std::vector<std::string>& resolved_yaml);

}  // namespace attn::cli
