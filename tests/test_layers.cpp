// The layer order of docs/architecture.md, enforced: a file of libattn may
// include headers of its own layer and of the layers below it, never above.
// A new folder must be given its place here (and in the doc) first.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// docs/architecture.md "Layers": core < io < data < nn, toy < probes, metrics
// < train < plot < tasks < cli (< apps, which may use everything).
const std::map<std::string, int> kLayer = {
    {"core", 0},    {"io", 1},    {"data", 2}, {"nn", 3},    {"toy", 3}, {"probes", 4},
    {"metrics", 4}, {"train", 5}, {"plot", 6}, {"tasks", 7}, {"cli", 8},
};

// The folder (concern) a library file belongs to: include/attn/<f>/... or src/<f>/...
std::string folder_of(const fs::path& relative) {
  auto it = relative.begin();
  if (*it == "include") ++it;  // include/attn/<f>
  ++it;                        // src/<f>
  return it == relative.end() || std::next(it) == relative.end() ? "" : it->string();
}

struct Violation {
  std::string file, include;
};

std::vector<Violation> upward_includes(const fs::path& library_root) {
  std::vector<Violation> found;
  const std::regex include_line(R"re(^\s*#\s*include\s+"attn/([a-z_]+)/[^"]+")re");
  for (const auto& entry : fs::recursive_directory_iterator(library_root)) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".h" && ext != ".cpp")) continue;
    const fs::path relative = fs::relative(entry.path(), library_root);
    const std::string own = folder_of(relative);
    if (own.empty()) continue;  // files at the top of src/ (the precompiled header)
    if (!kLayer.count(own)) {
      found.push_back({relative.string(), "(its folder has no layer)"});
      continue;
    }
    std::ifstream in(entry.path());
    std::string line;
    std::smatch match;
    while (std::getline(in, line)) {
      if (!std::regex_search(line, match, include_line)) continue;
      const std::string target = match[1].str();
      if (!kLayer.count(target) || kLayer.at(target) > kLayer.at(own))
        found.push_back({relative.string(), "attn/" + target + "/"});
    }
  }
  return found;
}

}  // namespace

TEST_CASE("no library file includes a layer above its own", "[layers]") {
  const auto violations = upward_includes(fs::path(ATTN_SOURCE_DIR) / "libattn");
  for (const auto& v : violations) UNSCOPED_INFO(v.file << " includes " << v.include);
  CHECK(violations.empty());
}

TEST_CASE("the layer check finds an upward include", "[layers]") {
  const fs::path root = fs::temp_directory_path() / "attn_layers_probe";
  fs::remove_all(root);
  fs::create_directories(root / "include/attn/io");
  fs::create_directories(root / "src/train");
  std::ofstream(root / "include/attn/io/bad.h") << "#pragma once\n#include \"attn/train/metric_row.h\"\n";
  std::ofstream(root / "src/train/fine.cpp") << "#include \"attn/io/files.h\"\n#include \"attn/train/x.h\"\n";
  const auto violations = upward_includes(root);
  fs::remove_all(root);
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].file == "include/attn/io/bad.h");
  CHECK(violations[0].include == "attn/train/");
}
