// Which app wrote a folder (see attn/tasks/folder_kind.h).
#include "attn/tasks/folder_kind.h"

#include <yaml-cpp/yaml.h>

#include <map>

#include "attn/core/error.h"

namespace attn::tasks {

namespace fs = std::filesystem;

namespace {

// The kind of a config file from its top-level keys.
std::string config_kind(const fs::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception&) {
    return "";
  }
  if (!root.IsMap()) return "";
  if (root["screening"] || root["base_seed"]) return "multihead";
  if (root["vocabulary"] && root["analysis"] && root["analysis"]["beam"]) return "translation";
  if (root["probes"] || (root["data"] && root["data"].IsMap() && root["data"]["format"])) return "";
  if (root["seeds"] && root["data"] && root["data"].IsMap() && root["data"]["vocab"]) return "copy";
  return "";
}

}  // namespace

std::string folder_kind(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return "";
  if (fs::exists(dir / "sentencepiece.model")) return "translation";
  if (fs::exists(dir / "vocab.txt") && fs::exists(dir / "config.yaml")) return "classification";
  if (fs::exists(dir / "config.yaml")) return config_kind(dir / "config.yaml");
  // attn-copy's --out: summary.csv beside one folder per config.
  if (fs::exists(dir / "summary.csv"))
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_directory() && config_kind(entry.path() / "config.yaml") == "copy") return "copy";
  return "";
}

void check_folder_kind(const fs::path& dir, const std::string& program, const std::string& expected_kind,
                       const std::string& what) {
  static const std::map<std::string, std::string> writers = {{"translation", "attn-translate"},
                                                             {"classification", "attn-classify"},
                                                             {"multihead", "attn-multihead"},
                                                             {"copy", "attn-copy"}};
  const std::string kind = folder_kind(dir);
  if (kind.empty() || kind == expected_kind) return;
  throw Error(fmt::format("{}: this is a {} folder (written by {}); {} reads {}", dir.string(),
                          kind == "copy" ? "copy-task" : kind, writers.at(kind), program, what));
}

}  // namespace attn::tasks
