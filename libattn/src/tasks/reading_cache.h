// What an analysis read from a snapshot, kept on disk so that a long analysis
// that is stopped (or a re-analysis with other table settings) resumes where it
// stopped instead of reading every snapshot again. An entry is a file
// <dir>/<name>.pt holding named lists of tensors, named numbers and texts,
// tagged with a key: everything the reading depends on (the analysis settings
// and the SHA-256 of the snapshot it was read from). An entry whose key differs,
// or which cannot be read, is not found, and the caller reads again.
// Tensors and doubles come back bit for bit, so an analysis resumed from the
// cache equals one that read everything in one go.
#pragma once

#include <torch/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace attn::tasks {

struct CachedReading {
  std::map<std::string, std::vector<torch::Tensor>> tensors;
  std::map<std::string, double> numbers;
  std::vector<std::string> texts;

  double number(const std::string& name) const;
  const std::vector<torch::Tensor>& blocks(const std::string& name) const;
};

class ReadingCache {
 public:
  /// `dir` empty: a cache that keeps nothing.
  explicit ReadingCache(std::filesystem::path dir);

  bool enabled() const { return !dir_.empty(); }
  std::optional<CachedReading> find(const std::string& name, const std::string& key) const;
  /// Written atomically; a no-op when the cache is off.
  void keep(const std::string& name, const std::string& key, const CachedReading& reading) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace attn::tasks
