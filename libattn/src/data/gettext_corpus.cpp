// Debian packages' German catalogues -> the gettext-en-de corpus (see
// attn/data/gettext_corpus.h).
#include "attn/data/gettext_corpus.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>

#include "attn/core/error.h"
#include "attn/data/gettext_catalogue.h"
#include "attn/io/checksum.h"
#include "attn/io/files.h"
#include "io/json.h"

namespace attn::data {

namespace fs = std::filesystem;

namespace {

const char* const kSplitNames[] = {"train", "valid", "test"};

std::string field(const std::string& control, const std::string& name, const fs::path& file) {
  // "Name: value" at the start of a line; continuation lines are not needed
  // for the three single-line fields read here.
  const std::string key = name + ":";
  for (size_t start = 0; start < control.size();) {
    size_t end = control.find('\n', start);
    if (end == std::string::npos) end = control.size();
    const std::string_view line(control.data() + start, end - start);
    if (line.substr(0, key.size()) == key) {
      std::string value(line.substr(key.size()));
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t\r") + 1);
      check(!value.empty(), "{}: field '{}' is empty", file.string(), name);
      return value;
    }
    start = end + 1;
  }
  throw Error(fmt::format("{}: expected a '{}' field (a Debian control file)", file.string(), name));
}

std::string lines_of(const std::vector<MessagePair>& pairs, bool source) {
  std::string text;
  for (const MessagePair& p : pairs) {
    text += source ? p.source : p.target;
    text += '\n';
  }
  return text;
}

int64_t words_of(const std::vector<MessagePair>& pairs, bool source) {
  int64_t words = 0;
  for (const MessagePair& p : pairs) words += count_words(source ? p.source : p.target);
  return words;
}

void remove_quietly(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

json::Value options_json(const GettextCorpusOptions& options) {
  return {{"min_source_words", options.filter.min_source_words},
          {"max_source_words", options.filter.max_source_words},
          {"placeholder", std::string(kPlaceholder)},
          {"seed", options.split.seed},
          {"valid_fraction", options.split.valid_fraction},
          {"test_fraction", options.split.test_fraction}};
}

json::Value packages_json(const std::vector<DebianPackage>& packages) {
  json::Value list = json::Value::array();
  for (const DebianPackage& p : packages)
    list.push_back({{"name", p.name}, {"version", p.version}, {"architecture", p.architecture}});
  return list;
}

}  // namespace

DebianPackage read_package_control(const fs::path& package_dir) {
  const fs::path file = package_dir / "DEBIAN" / "control";
  check(fs::is_directory(package_dir), "{}: package folder not found; run scripts/prepare-data.sh translation",
        package_dir.string());
  check(fs::is_regular_file(file),
        "{}: not found; expected an unpacked Debian package (dpkg-deb -x, and dpkg-deb -e into DEBIAN/)",
        file.string());
  const std::string control = io::read_text_file(file);
  DebianPackage package{field(control, "Package", file), field(control, "Version", file),
                        field(control, "Architecture", file)};
  check(package.name == package_dir.filename().string(), "{}: Package is '{}', expected '{}' (the folder's name)",
        file.string(), package.name, package_dir.filename().string());
  return package;
}

std::vector<fs::path> find_german_catalogues(const fs::path& package_dir) {
  std::vector<fs::path> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(package_dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    if (path.extension() != ".mo" || !it->is_regular_file()) continue;
    const fs::path folder = path.parent_path();
    if (folder.filename() == "LC_MESSAGES" && folder.parent_path().filename() == "de")
      found.push_back(fs::relative(path, package_dir));
  }
  check(!ec, "{}: cannot list ({})", package_dir.string(), ec.message());
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<DebianPackage> list_packages(const fs::path& unpacked, const std::vector<std::string>& packages) {
  check(fs::is_directory(unpacked),
        "{}: folder of unpacked packages not found; run scripts/prepare-data.sh translation", unpacked.string());
  std::vector<std::string> names = packages;
  if (names.empty()) {
    for (const auto& entry : fs::directory_iterator(unpacked))
      if (entry.is_directory() && entry.path().filename().string()[0] != '.')
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    check(!names.empty(), "{}: no unpacked packages in it", unpacked.string());
  }
  std::vector<DebianPackage> result;
  for (const std::string& name : names) result.push_back(read_package_control(unpacked / name));
  return result;
}

GettextCorpus build_gettext_corpus(const fs::path& unpacked, const std::vector<std::string>& packages,
                                   const GettextCorpusOptions& options) {
  GettextCorpus corpus;
  corpus.packages = list_packages(unpacked, packages);
  std::vector<NamedCatalogue> catalogues;
  for (const DebianPackage& package : corpus.packages) {
    const fs::path dir = unpacked / package.name;
    const std::vector<fs::path> files = find_german_catalogues(dir);
    corpus.package_catalogues.push_back(static_cast<int64_t>(files.size()));
    for (const fs::path& file : files) {
      NamedCatalogue named{(fs::path(package.name) / file).string(), read_mo_file(dir / file)};
      CatalogueSummary summary;
      summary.file = named.name;
      summary.package = package.name;
      summary.charset = named.catalogue.charset;
      summary.entries = static_cast<int64_t>(named.catalogue.entries.size());
      summary.system_dependent = std::count_if(named.catalogue.entries.begin(), named.catalogue.entries.end(),
                                               [](const GettextEntry& e) { return e.system_dependent; });
      summary.skipped_system_dependent = named.catalogue.skipped_system_dependent;
      corpus.catalogues.push_back(summary);
      catalogues.push_back(std::move(named));
    }
  }
  check(!catalogues.empty(), "{}: no German catalogue (*/de/LC_MESSAGES/*.mo) in the {} package(s) read",
        unpacked.string(), corpus.packages.size());
  MessageFilterResult filtered = filter_messages(catalogues, options.filter);
  check(!filtered.pairs.empty(), "{}: no sentence pair is left after the filter ({} entries read)", unpacked.string(),
        filtered.counts.entries);
  for (size_t k = 0; k < catalogues.size(); ++k) corpus.catalogues[k].pairs = filtered.kept_per_catalogue[k];
  corpus.counts = filtered.counts;
  corpus.split = split_message_pairs(filtered.pairs, options.split);
  return corpus;
}

std::string write_gettext_corpus(const GettextCorpus& corpus, const GettextCorpusOptions& options,
                                 const fs::path& out_dir) {
  const MessageFilterCounts& c = corpus.counts;
  json::Value counts = {{"entries", c.entries},
                        {"with_context_kept", c.with_context},
                        {"dropped_plural", c.plural},
                        {"dropped_untranslated", c.untranslated},
                        {"dropped_invalid_utf8", c.invalid_utf8},
                        {"dropped_format_only", c.format_only},
                        {"dropped_abbreviated", c.abbreviated},
                        {"dropped_identical", c.identical},
                        {"dropped_too_short", c.too_short},
                        {"dropped_too_long", c.too_long},
                        {"dropped_duplicates", c.duplicates},
                        {"dropped_alternative_targets", c.alternative_targets},
                        {"pairs", c.kept}};
  json::Value packages = packages_json(corpus.packages);
  for (size_t i = 0; i < packages.size(); ++i) packages[i]["german_catalogues"] = corpus.package_catalogues[i];
  json::Value catalogues = json::Value::array();
  for (const CatalogueSummary& s : corpus.catalogues)
    catalogues.push_back({{"file", s.file},
                          {"charset", s.charset},
                          {"entries", s.entries},
                          {"system_dependent", s.system_dependent},
                          {"skipped_system_dependent", s.skipped_system_dependent},
                          {"pairs", s.pairs}});

  // Everything goes into a sibling folder first; it replaces out_dir at the end.
  const fs::path staging = io::temporary_sibling(out_dir);
  remove_quietly(staging);
  json::Value files = json::Value::object();
  json::Value sizes = json::Value::object();
  try {
    const std::vector<MessagePair>* splits[] = {&corpus.split.train, &corpus.split.valid, &corpus.split.test};
    for (int s = 0; s < 3; ++s) {
      sizes[kSplitNames[s]] = splits[s]->size();
      for (const bool source : {true, false}) {
        const std::string name = fmt::format("{}.{}", kSplitNames[s], source ? "en" : "de");
        const std::string content = lines_of(*splits[s], source);
        io::write_file_atomic(staging / name, content);
        files[name] = {
            {"lines", splits[s]->size()}, {"words", words_of(*splits[s], source)}, {"sha256", io::sha256_hex(content)}};
      }
    }
    const json::Value doc = {{"dataset", "gettext-en-de"},
                             {"format",
                              "{train,valid,test}.{en,de}: one sentence a line, UTF-8; line i of .en "
                              "translates to line i of .de"},
                             {"source_language", "en"},
                             {"target_language", "de"},
                             {"options", options_json(options)},
                             {"packages", packages},
                             {"catalogues", catalogues},
                             {"counts", counts},
                             {"groups", corpus.split.groups},
                             {"split_sizes", sizes},
                             {"files", files}};
    const std::string manifest = json::to_text(doc);
    io::write_file_atomic(staging / "manifest.json", manifest);

    const fs::path old = fs::path(out_dir.string() + ".old." + std::to_string(::getpid()));
    std::error_code ec;
    if (fs::exists(out_dir)) {
      fs::rename(out_dir, old, ec);
      check(!ec, "{}: cannot move the old corpus aside ({})", out_dir.string(), ec.message());
    }
    fs::rename(staging, out_dir, ec);
    if (ec) {
      if (fs::exists(old)) fs::rename(old, out_dir, ec);
      throw Error(fmt::format("{}: cannot rename the new corpus into place ({})", out_dir.string(), ec.message()));
    }
    remove_quietly(old);
    return manifest;
  } catch (...) {
    remove_quietly(staging);
    throw;
  }
}

bool verify_gettext_corpus(const fs::path& out_dir, std::string* problem, const GettextCorpusOptions* expected,
                           const std::vector<DebianPackage>* packages) {
  const auto fail = [&](const std::string& why) {
    if (problem) *problem = why;
    return false;
  };
  const fs::path manifest = out_dir / "manifest.json";
  if (!fs::exists(manifest)) return fail(manifest.string() + ": not found");
  json::Value root;
  try {
    root = json::read_file(manifest);
  } catch (const Error& e) {
    return fail(e.what());
  }
  if (!root.is_object()) return fail(manifest.string() + ": expected a JSON object");
  if (expected && (!root.contains("options") || root["options"] != options_json(*expected)))
    return fail(fmt::format("{}: made with options {}, but {} were asked for", manifest.string(),
                            root.contains("options") ? root["options"].dump() : "?", options_json(*expected).dump()));
  if (packages) {
    json::Value recorded = json::Value::array();
    if (root.contains("packages") && root["packages"].is_array())
      for (const json::Value& p : root["packages"])
        if (p.is_object())
          recorded.push_back({{"name", p.value("name", "")},
                              {"version", p.value("version", "")},
                              {"architecture", p.value("architecture", "")}});
    if (recorded != packages_json(*packages))
      return fail(manifest.string() + ": made from other packages or versions than those unpacked now");
  }
  const auto files = root.find("files");
  if (files == root.end() || !files->is_object() || files->empty())
    return fail(manifest.string() + ": files: expected a mapping of files");
  for (const auto& [name, entry] : files->items()) {
    const fs::path file = out_dir / name;
    if (!(entry.is_object() && entry.contains("sha256") && entry["sha256"].is_string()))
      return fail(fmt::format("{}: files.{}.sha256: missing", manifest.string(), name));
    if (!fs::exists(file)) return fail(file.string() + ": listed in the manifest but missing");
    if (io::sha256_file(file) != entry["sha256"].get<std::string>())
      return fail(file.string() + ": SHA-256 differs from the manifest");
  }
  return true;
}

}  // namespace attn::data
