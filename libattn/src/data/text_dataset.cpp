// Text classification data set readers (see attn/data/text_dataset.h).
#include "attn/data/text_dataset.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "attn/core/error.h"
#include "attn/io/files.h"

namespace attn::data {

namespace fs = std::filesystem;

std::array<int64_t, 2> TextDataset::label_counts() const {
  std::array<int64_t, 2> counts{0, 0};
  for (const TextExample& e : examples) ++counts[e.label == 1 ? 1 : 0];
  return counts;
}

std::vector<std::vector<std::string>> TextDataset::token_lists() const {
  std::vector<std::vector<std::string>> lists;
  lists.reserve(examples.size());
  for (const TextExample& e : examples) lists.push_back(e.tokens);
  return lists;
}

namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

std::vector<fs::path> sorted_text_files(const fs::path& dir) {
  check(fs::is_directory(dir), "{}: expected a folder of .txt reviews (aclImdb layout "
        "<root>/<split>/pos|neg/*.txt), none found", dir.string());
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".txt") files.push_back(entry.path());
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  return files;
}

// "..." -> ..., with "" inside read as ". Anything else is returned unchanged.
std::string unquote(const std::string& field) {
  if (field.size() < 2 || field.front() != '"' || field.back() != '"') return field;
  std::string out;
  for (size_t i = 1; i + 1 < field.size(); ++i) {
    out += field[i];
    if (field[i] == '"' && field[i + 1] == '"') ++i;
  }
  return out;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

TextDataset read_imdb_split(const fs::path& root, const std::string& split,
                            const TokenizerOptions& tokenizer) {
  check(fs::is_directory(root), "{}: aclImdb folder not found (expected <root>/{}/pos and neg)",
        root.string(), split);
  TextDataset data;
  data.origin = (root / split).string();
  for (int label : {0, 1}) {
    const fs::path dir = root / split / (label == 1 ? "pos" : "neg");
    for (const fs::path& file : sorted_text_files(dir)) {
      std::string text = io::read_text_file(file);
      replace_all(text, "<br />", " ");
      replace_all(text, "<br/>", " ");
      TextExample example{tokenize(text, tokenizer), label};
      check(!example.tokens.empty(), "{}: expected a review, the file has no words", file.string());
      data.examples.push_back(std::move(example));
    }
  }
  check(!data.examples.empty(), "{}: expected reviews in pos/ and neg/, found none", data.origin);
  return data;
}

TextDataset parse_delimited(const std::string& text, const std::string& origin,
                            const DelimitedOptions& options) {
  check(options.class_names.empty() || options.class_names.size() == 2,
        "{}: expected two class names (for labels 0 and 1), got {}", origin, options.class_names.size());
  const std::vector<std::string> names =
      options.class_names.empty() ? std::vector<std::string>{"0", "1"} : options.class_names;
  check(names[0] != names[1], "{}: the two class names must differ, both are '{}'", origin, names[0]);
  const std::string sep_name = options.separator == '\t' ? "a tab" : fmt::format("'{}'", options.separator);

  TextDataset data;
  data.origin = origin;
  size_t start = 0;
  int64_t number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && options.header) continue;
    if (trim(line).empty()) continue;
    const size_t cut = line.find(options.separator);
    check(cut != std::string::npos, "{}:{}: expected 'label{}text' with {} after the label, got no separator",
          origin, number, options.separator == '\t' ? "<TAB>" : std::string(1, options.separator), sep_name);
    const std::string label = trim(unquote(trim(line.substr(0, cut))));
    int value = -1;
    if (label == names[0]) value = 0;
    if (label == names[1]) value = 1;
    check(value >= 0, "{}:{}: expected the label '{}' or '{}', got '{}'", origin, number, names[0],
          names[1], label);
    TextExample example{tokenize(unquote(trim(line.substr(cut + 1))), options.tokenizer), value};
    check(!example.tokens.empty(), "{}:{}: expected text after the label, got none", origin, number);
    data.examples.push_back(std::move(example));
  }
  check(!data.examples.empty(), "{}: expected at least one 'label{}text' line, the data set is empty",
        origin, options.separator == '\t' ? "<TAB>" : std::string(1, options.separator));
  return data;
}

TextDataset read_delimited(const fs::path& path, const DelimitedOptions& options) {
  check(fs::is_regular_file(path), "{}: data file not found", path.string());
  return parse_delimited(io::read_text_file(path), path.string(), options);
}

TextDataset parse_json_dataset(const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}:{}: JSON syntax error: {}", origin, e.mark.line + 1, e.msg));
  }
  check(root.IsMap(), "{}: expected a JSON object with \"vocab\" and \"XY\"", origin);
  const YAML::Node vocab = root["vocab"];
  const YAML::Node xy = root["XY"];
  check(vocab.IsDefined() && vocab.IsSequence(), "{}: vocab: expected a list of words", origin);
  check(xy.IsDefined() && xy.IsSequence(), "{}: XY: expected a list of [token ids, label] pairs", origin);

  TextDataset data;
  data.origin = origin;
  for (size_t i = 0; i < vocab.size(); ++i) {
    check(vocab[i].IsScalar(), "{}: vocab[{}]: expected a word (string)", origin, i);
    data.vocab.push_back(vocab[i].Scalar());
  }
  check(!data.vocab.empty(), "{}: vocab: expected a non-empty list of words", origin);
  const auto special_id = [&](const char* name) -> int64_t {
    auto it = std::find(data.vocab.begin(), data.vocab.end(), name);
    return it == data.vocab.end() ? -1 : static_cast<int64_t>(it - data.vocab.begin());
  };
  const int64_t pad = special_id("<pad>"), bos = special_id("<bos>"), eos = special_id("<eos>");
  const int64_t vocab_size = static_cast<int64_t>(data.vocab.size());

  for (size_t i = 0; i < xy.size(); ++i) {
    const YAML::Node pair = xy[i];
    check(pair.IsSequence() && pair.size() == 2 && pair[0].IsSequence() && pair[1].IsScalar(),
          "{}: XY[{}]: expected [[token ids], label]", origin, i);
    int label = -1;
    try {
      label = pair[1].as<int>();
    } catch (const YAML::Exception&) {
    }
    check(label == 0 || label == 1, "{}: XY[{}]: expected the label 0 or 1, got '{}'", origin, i,
          pair[1].Scalar());
    std::vector<int64_t> ids;
    for (size_t j = 0; j < pair[0].size(); ++j) {
      int64_t id = -1;
      try {
        id = pair[0][j].as<int64_t>();
      } catch (const YAML::Exception&) {
      }
      check(id >= 0 && id < vocab_size, "{}: XY[{}][0][{}]: expected a token id in [0, {}), got '{}'",
            origin, i, j, vocab_size, pair[0][j].IsScalar() ? pair[0][j].Scalar() : "a list");
      if (id != pad) ids.push_back(id);
    }
    if (!ids.empty() && ids.front() == bos) ids.erase(ids.begin());
    if (!ids.empty() && ids.back() == eos) ids.pop_back();
    check(!ids.empty(), "{}: XY[{}]: expected at least one token id, got none", origin, i);
    TextExample example;
    example.label = label;
    for (int64_t id : ids) example.tokens.push_back(data.vocab[static_cast<size_t>(id)]);
    data.examples.push_back(std::move(example));
  }
  check(!data.examples.empty(), "{}: XY: expected at least one example, the list is empty", origin);
  return data;
}

TextDataset read_json_dataset(const fs::path& path) {
  check(fs::is_regular_file(path), "{}: data file not found", path.string());
  return parse_json_dataset(io::read_text_file(path), path.string());
}

}  // namespace attn::data
