// What every run writes next to its results so that it can be reproduced:
// config.yaml (the full resolved config) and run.json (what ran: seed,
// libattn version and git commit, LibTorch version, device (with CUDA, cuDNN
// and GPU name on a GPU), threads, BLAS kernel, config overrides, the
// environment variables that change results or speed, command line, host,
// start time); and, once it has finished, its done marker ("<training
// seconds> s"). The readers of these files sit here with their writers, so
// each format is spelled once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace attn::io {

struct RunRecord {
  std::string config_yaml;        ///< resolved config, every default filled in
  int64_t seed = 0;
  std::string device;             ///< describe_device()
  int threads = 1;
  std::vector<std::string> command_line;
  std::string experiment;         ///< config name
  // New fields go at the end, each with a default initialiser: callers fill the
  // struct positionally, and "= {}" keeps -Wmissing-field-initializers quiet there.
  std::vector<std::string> overrides = {};  ///< config overrides from the command line ("key.path=value")
  std::string recurrence = {};  ///< how recurrences run (nn::describe_recurrence); empty: not recorded
  /// The run folders trained with this one as one batched model in this
  /// invocation (train/batched_trainer.h), this one included; empty: trained alone.
  std::vector<std::string> batched_runs = {};
};

/// Writes config.yaml and run.json into `dir` (atomically). run.json's
/// fields, in order: experiment, seed, libattn_version, device, threads,
/// blas_core, command_line, host, started_utc (as before), then
/// libattn_commit ("unknown" when not built from a git checkout),
/// libattn_dirty (null then), libtorch_version, cuda (null unless `device`
/// names a CUDA device: {"runtime", "cudnn", "gpu", "tf32"}), overrides (array),
/// environment (object: every OMP_*, OPENBLAS_*, MKL_*, CUDA_VISIBLE_DEVICES
/// CUBLAS_WORKSPACE_CONFIG and ATTN_RECURRENCE set in this process), recurrence (how the
/// recurrences ran, e.g. "fused-cpu" or "cudnn"; null when not recorded) and batched_runs (the
/// folders of this invocation's batched model, this one included; null for a run trained alone).
void write_run_record(const std::filesystem::path& dir, const RunRecord& record);

/// The environment variables run.json records, sorted by name.
std::vector<std::pair<std::string, std::string>> recorded_environment();

/// Returns the config.yaml text of an existing run folder, or "" if none.
/// Used to refuse resuming a folder made by a different config.
std::string recorded_config(const std::filesystem::path& dir);

/// When the run in `dir` (last) started, in Unix seconds: run.json's
/// started_utc. Throws attn::Error naming the file when it is missing or malformed.
double recorded_start(const std::filesystem::path& dir);

/// The done marker's file name: a run folder holding it is finished.
inline constexpr const char* kDoneMarker = "done";

/// Marks the run in `dir` finished (atomically), recording its training time.
void write_done_marker(const std::filesystem::path& dir, double seconds);

/// True when the run in `dir` has finished (holds a done marker).
bool run_done(const std::filesystem::path& dir);

/// The training seconds a finished run recorded; nullopt when `dir` has no
/// done marker. Throws attn::Error naming the file when it is malformed.
std::optional<double> recorded_seconds(const std::filesystem::path& dir);

}  // namespace attn::io
