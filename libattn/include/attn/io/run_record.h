// What every run writes next to its results so that it can be reproduced:
// config.yaml (the full resolved config) and run.json (seed, library version,
// device, threads, BLAS kernel, command line, host, start time).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace attn::io {

struct RunRecord {
  std::string config_yaml;        ///< resolved config, every default filled in
  int64_t seed = 0;
  std::string device;             ///< describe_device()
  int threads = 1;
  std::vector<std::string> command_line;
  std::string experiment;         ///< config name
};

/// Writes config.yaml and run.json into `dir` (atomically).
void write_run_record(const std::filesystem::path& dir, const RunRecord& record);

/// JSON string literal with escapes.
std::string json_string(const std::string& text);

/// Returns the config.yaml text of an existing run folder, or "" if none.
/// Used to refuse resuming a folder made by a different config.
std::string recorded_config(const std::filesystem::path& dir);

}  // namespace attn::io
