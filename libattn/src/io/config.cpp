// Strict YAML config reading (see attn/io/config.h).
#include "attn/io/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <system_error>

#include "attn/core/error.h"

namespace attn::io {

struct ConfigNode::Shared {
  std::string origin;
  YAML::Node root;
  YAML::Node resolved = YAML::Node(YAML::NodeType::Map);
  std::set<std::string> used;  // dotted keys that a reader asked for
};

ConfigNode::ConfigNode(std::shared_ptr<Shared> shared, YAML::Node node, std::string path)
    : shared_(std::move(shared)), node_(std::move(node)), path_(std::move(path)) {}

std::pair<std::string, std::string> split_override(const std::string& assignment) {
  const auto equals = assignment.find('=');
  const std::string key = assignment.substr(0, equals);
  bool well_formed = equals != std::string::npos && !key.empty() && key.front() != '.' && key.back() != '.' &&
                     key.find("..") == std::string::npos && key.find_first_of(" \t") == std::string::npos;
  check(well_formed, "--set: expected key.path=value (e.g. train.steps=50), got '{}'", assignment);
  return {key, assignment.substr(equals + 1)};
}

namespace {

// Sets the dotted `key` of `root` to the YAML value `text`, creating the
// mappings on the way.
void apply_override(YAML::Node root, const std::string& assignment, const std::string& origin) {
  const auto [key, text] = split_override(assignment);
  YAML::Node value;
  try {
    value = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("--set {}: cannot read the value '{}' as YAML: {}", key, text, e.msg));
  }
  std::vector<std::string> parts;
  std::stringstream in(key);
  for (std::string part; std::getline(in, part, '.');) parts.push_back(part);
  YAML::Node node = root;
  std::string walked;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    walked += (walked.empty() ? "" : ".") + parts[i];
    YAML::Node next = node[parts[i]];
    if (!next.IsDefined() || next.IsNull()) {
      node[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next = node[parts[i]];
    }
    check(next.IsMap(), "--set {}: {}: {} is not a mapping of keys", key, origin, walked);
    node.reset(next);  // rebind (operator= would overwrite the value)
  }
  node[parts.back()] = value;
}

ConfigNode make_root(YAML::Node root, const std::string& origin, const std::vector<std::string>& overrides);

}  // namespace

ConfigNode ConfigNode::load_file(const std::filesystem::path& path, const std::vector<std::string>& overrides) {
  // Read the text ourselves: yaml-cpp reads a directory or an empty file as an
  // empty config, which would silently run every default (the paper-scale experiment).
  std::error_code ec;
  check(std::filesystem::exists(path, ec), "{}: config file not found", path.string());
  check(!std::filesystem::is_directory(path, ec), "{}: expected a config file, got a directory", path.string());
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "{}: cannot read the config file", path.string());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  check(!in.bad(), "{}: cannot read the config file", path.string());
  check(text.find_first_not_of(" \t\r\n") != std::string::npos,
        "{}: the config file is empty (expected a YAML mapping of keys)", path.string());
  return parse(text, path.string(), overrides);
}

ConfigNode ConfigNode::parse(const std::string& text, const std::string& origin,
                             const std::vector<std::string>& overrides) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}:{}: YAML syntax error: {}", origin, e.mark.line + 1, e.msg));
  } catch (const std::exception& e) {  // e.g. yaml-cpp's own limits; still name the file
    throw Error(fmt::format("{}: cannot read as YAML: {}", origin, e.what()));
  }
  return make_root(root, origin, overrides);
}

namespace {
// No config is nested this deep; a limit keeps the checks below from
// recursing through a hostile file.
constexpr int kMaxConfigDepth = 64;

// yaml-cpp keeps every entry of a mapping with a repeated key and lookups see
// the first, so a later value would be silently ignored: reject the file.
void reject_duplicate_keys(const YAML::Node& node, const std::string& path, const std::string& origin, int depth) {
  check(depth <= kMaxConfigDepth, "{}:{}: nested deeper than {} levels (at {})", origin, node.Mark().line + 1,
        kMaxConfigDepth, path.empty() ? std::string("the top") : path);
  if (node.IsSequence()) {
    for (const auto& item : node) reject_duplicate_keys(item, path, origin, depth + 1);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, int> first_line;
  for (const auto& entry : node) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string("?");
    const std::string dotted = path.empty() ? key : path + "." + key;
    const int line = entry.first.Mark().line + 1;
    const auto [at, inserted] = first_line.emplace(key, line);
    check(inserted, "{}:{}: {}: duplicate key (first given at line {})", origin, line, dotted, at->second);
    reject_duplicate_keys(entry.second, dotted, origin, depth + 1);
  }
}

ConfigNode make_root(YAML::Node root, const std::string& origin, const std::vector<std::string>& overrides) {
  reject_duplicate_keys(root, "", origin, 0);
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  check(root.IsMap(), "{}: expected a YAML mapping of keys at the top level", origin);
  for (const auto& o : overrides) apply_override(root, o, origin);
  return ConfigNode::from_root(root, origin);
}
}  // namespace

ConfigNode ConfigNode::from_root(YAML::Node root, const std::string& origin) {
  auto shared = std::make_shared<Shared>();
  shared->origin = origin;
  shared->root = root;
  return ConfigNode(shared, root, "");
}

const std::string& ConfigNode::origin() const { return shared_->origin; }

std::string ConfigNode::dotted(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void ConfigNode::fail(const std::string& key, const std::string& what) const {
  throw Error(fmt::format("{}: {}: {}", shared_->origin, dotted(key), what));
}

bool ConfigNode::has(const std::string& key) const {
  return node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull();
}

YAML::Node ConfigNode::value(const std::string& key) const {
  mark_used(key);
  if (!node_.IsMap()) return YAML::Node();
  return node_[key];
}

void ConfigNode::mark_used(const std::string& key) const { shared_->used.insert(dotted(key)); }

void ConfigNode::record(const std::string& key, const YAML::Node& v) const {
  // Walk/create the resolved tree along this node's dotted path.
  YAML::Node target = shared_->resolved;
  std::stringstream parts(path_);
  std::string part;
  std::vector<YAML::Node> chain{target};
  while (!path_.empty() && std::getline(parts, part, '.')) {
    YAML::Node next = chain.back()[part];
    if (!next.IsMap()) {
      chain.back()[part] = YAML::Node(YAML::NodeType::Map);
      next = chain.back()[part];
    }
    chain.push_back(next);
  }
  chain.back()[key] = v;
}

ConfigNode ConfigNode::child(const std::string& key) const {
  YAML::Node v = value(key);
  if (v.IsDefined() && !v.IsNull() && !v.IsMap()) fail(key, "expected a mapping of keys");
  YAML::Node node = (v.IsDefined() && !v.IsNull()) ? v : YAML::Node(YAML::NodeType::Map);
  return ConfigNode(shared_, node, dotted(key));
}

namespace {
std::string scalar_text(const YAML::Node& v) {
  if (v.IsScalar()) return v.Scalar();
  if (v.IsSequence()) return "a list";
  if (v.IsMap()) return "a mapping";
  return "nothing";
}
}  // namespace

int64_t ConfigNode::get_int(const std::string& key, int64_t fallback) const {
  YAML::Node v = value(key);
  int64_t result = fallback;
  if (v.IsDefined() && !v.IsNull()) {
    try {
      if (!v.IsScalar()) throw YAML::Exception(YAML::Mark(), "not a scalar");
      result = v.as<int64_t>();
    } catch (const YAML::Exception&) {
      fail(key, fmt::format("expected an integer, got '{}'", scalar_text(v)));
    }
  }
  record(key, YAML::Node(result));
  return result;
}

double ConfigNode::get_double(const std::string& key, double fallback) const {
  YAML::Node v = value(key);
  double result = fallback;
  if (v.IsDefined() && !v.IsNull()) {
    try {
      if (!v.IsScalar()) throw YAML::Exception(YAML::Mark(), "not a scalar");
      result = v.as<double>();
    } catch (const YAML::Exception&) {
      fail(key, fmt::format("expected a number, got '{}'", scalar_text(v)));
    }
    // .inf and .nan are YAML numbers, but no config value means them.
    if (!std::isfinite(result)) fail(key, fmt::format("expected a finite number, got '{}'", scalar_text(v)));
  }
  record(key, YAML::Node(result));
  return result;
}

bool ConfigNode::get_bool(const std::string& key, bool fallback) const {
  YAML::Node v = value(key);
  bool result = fallback;
  if (v.IsDefined() && !v.IsNull()) {
    try {
      if (!v.IsScalar()) throw YAML::Exception(YAML::Mark(), "not a scalar");
      result = v.as<bool>();
    } catch (const YAML::Exception&) {
      fail(key, fmt::format("expected true or false, got '{}'", scalar_text(v)));
    }
  }
  record(key, YAML::Node(result));
  return result;
}

std::string ConfigNode::get_string(const std::string& key, const std::string& fallback) const {
  YAML::Node v = value(key);
  std::string result = fallback;
  if (v.IsDefined() && !v.IsNull()) {
    if (!v.IsScalar()) fail(key, fmt::format("expected a string, got {}", scalar_text(v)));
    result = v.Scalar();
  }
  record(key, YAML::Node(result));
  return result;
}

std::string ConfigNode::get_choice(const std::string& key, const std::string& fallback,
                                   const std::vector<std::string>& choices) const {
  std::string result = get_string(key, fallback);
  for (const auto& c : choices)
    if (c == result) return result;
  fail(key, fmt::format("expected one of {}, got '{}'", fmt::join(choices, "|"), result));
}

std::vector<int64_t> ConfigNode::get_int_list(const std::string& key,
                                              const std::vector<int64_t>& fallback) const {
  YAML::Node v = value(key);
  std::vector<int64_t> result = fallback;
  if (v.IsDefined() && !v.IsNull()) {
    if (!v.IsSequence()) fail(key, fmt::format("expected a list of integers, got '{}'", scalar_text(v)));
    result.clear();
    for (const auto& item : v) {
      try {
        result.push_back(item.as<int64_t>());
      } catch (const YAML::Exception&) {
        fail(key, fmt::format("expected a list of integers, found '{}'", scalar_text(item)));
      }
    }
  }
  YAML::Node out(YAML::NodeType::Sequence);
  for (auto x : result) out.push_back(x);
  record(key, out);
  return result;
}

std::vector<std::string> ConfigNode::get_string_list(const std::string& key,
                                                     const std::vector<std::string>& fallback) const {
  YAML::Node v = value(key);
  std::vector<std::string> result = fallback;
  if (v.IsDefined() && !v.IsNull()) {
    if (!v.IsSequence()) fail(key, fmt::format("expected a list of strings, got '{}'", scalar_text(v)));
    result.clear();
    for (const auto& item : v) {
      if (!item.IsScalar()) fail(key, "expected a list of strings");
      result.push_back(item.Scalar());
    }
  }
  YAML::Node out(YAML::NodeType::Sequence);
  for (const auto& x : result) out.push_back(x);
  record(key, out);
  return result;
}

namespace {
void find_unknown(const YAML::Node& node, const std::string& path, const std::set<std::string>& used,
                  const std::string& origin) {
  if (!node.IsMap()) return;
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    const std::string dotted = path.empty() ? key : path + "." + key;
    if (!used.count(dotted)) {
      // List the keys a reader did ask for at this level, to help fix typos.
      std::vector<std::string> known;
      const std::string prefix = path.empty() ? "" : path + ".";
      for (const auto& u : used)
        if (u.rfind(prefix, 0) == 0 && u.find('.', prefix.size()) == std::string::npos)
          known.push_back(u.substr(prefix.size()));
      throw Error(fmt::format("{}: {}: unknown key (expected one of: {})", origin, dotted,
                              fmt::join(known, ", ")));
    }
    find_unknown(entry.second, dotted, used, origin);
  }
}
}  // namespace

void ConfigNode::finish() const { find_unknown(shared_->root, "", shared_->used, shared_->origin); }

YAML::Node ConfigNode::resolved() const { return shared_->resolved; }

std::string ConfigNode::resolved_yaml() const {
  YAML::Emitter out;
  out << shared_->resolved;
  return std::string(out.c_str()) + "\n";
}

}  // namespace attn::io
