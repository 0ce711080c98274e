// One process per run folder. Two processes training the same run (a fresh
// start and a --resume, or two resumes) would interleave their checkpoints
// and metrics. The lock is flock() on "<dir>/.lock": the kernel drops it
// when its holder exits or is killed, so no lock outlives a crash.
#pragma once

#include <filesystem>
#include <string>

namespace attn::io {

class RunLock {
 public:
  /// Creates `dir` if needed and locks it; throws attn::Error "<dir>: in use
  /// by process <pid> (...)" when another process holds it. Nested locks of
/// one folder within a process are allowed (the outermost one holds it).
  explicit RunLock(const std::filesystem::path& dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  std::string key_;
  int fd_ = -1;  // -1 for a nested lock
};

}  // namespace attn::io
