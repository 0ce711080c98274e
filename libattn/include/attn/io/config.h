// Strict YAML config reading. Every Options struct has a reader built on
// ConfigNode: a value is read with its default, checked, and recorded in the
// resolved config; any key that no reader asked for is an error at load time.
// Errors name the file and the dotted key: "exp.yaml: train.steps: expected a
// positive integer, got 'ten'".
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace attn::io {

/// Splits "key.path=value" (the apps' --set); throws attn::Error naming --set
/// when it is not of that form.
std::pair<std::string, std::string> split_override(const std::string& assignment);

/// A view on one YAML mapping of a config file. Children share the record of
/// used keys, so `finish()` on the root finds unknown keys at any depth.
class ConfigNode {
 public:
  /// Loads `path`; throws attn::Error for a missing file or bad YAML syntax.
  /// `overrides` ("key.path=value", the apps' --set) replace or add keys
  /// before any reader sees them, so a misspelt key is still unknown.
  static ConfigNode load_file(const std::filesystem::path& path, const std::vector<std::string>& overrides = {});
  /// Parses YAML text; `origin` names it in errors (e.g. "<inline>").
  static ConfigNode parse(const std::string& text, const std::string& origin,
                          const std::vector<std::string>& overrides = {});
  /// A root over an already loaded mapping.
  static ConfigNode from_root(YAML::Node root, const std::string& origin);

  bool has(const std::string& key) const;
  /// The sub-mapping `key` (an empty mapping if absent).
  ConfigNode child(const std::string& key) const;

  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_double(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> get_int_list(const std::string& key, const std::vector<int64_t>& fallback) const;
  std::vector<std::string> get_string_list(const std::string& key,
                                           const std::vector<std::string>& fallback) const;
  /// A string that must be one of `choices`.
  std::string get_choice(const std::string& key, const std::string& fallback,
                         const std::vector<std::string>& choices) const;

  /// Throws attn::Error "<file>: <path.key>: <what>" — for checks on values.
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  /// Checks a condition on a value already read.
  void require(bool condition, const std::string& key, const std::string& what) const {
    if (!condition) fail(key, what);
  }

  /// Throws for the first key in the file that no reader asked for.
  void finish() const;
  /// The config with every default filled in, as YAML text.
  std::string resolved_yaml() const;
  /// The resolved values as a YAML node (for embedding in run records).
  YAML::Node resolved() const;

  const std::string& origin() const;
  std::string dotted(const std::string& key) const;

 private:
  struct Shared;
  ConfigNode(std::shared_ptr<Shared> shared, YAML::Node node, std::string path);
  YAML::Node value(const std::string& key) const;
  void record(const std::string& key, const YAML::Node& value) const;
  void mark_used(const std::string& key) const;

  std::shared_ptr<Shared> shared_;
  YAML::Node node_;
  std::string path_;  // dotted path of this mapping, "" at the root
};

}  // namespace attn::io
