// Text classification data set readers (see attn/data/text_dataset.h).
#include "attn/data/text_dataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>

#include "attn/core/error.h"
#include "attn/io/files.h"
#include "io/json.h"

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

namespace {

// The paper's JSON layout read in one SAX pass (no document tree: a 29 MB file
// would take ~10x its size as nlohmann values). The pass only collects; the
// checks run afterwards in a fixed order (root, vocab, XY, then each example),
// so the first error reported does not depend on the order of keys in the file.
// Scalars are read as yaml-cpp read them before: a word may be any string,
// number or bool; an id or label an integer or a string holding one.
class JsonDatasetScan : public nlohmann::json_sax<nlohmann::json> {
 public:
  enum class List { kAbsent, kNotList, kList };
  struct Pair {
    bool shape_ok = true;     // [[ids], label]
    int64_t elements = 0;
    std::optional<int64_t> label;
    std::string label_text;
    size_t ids_begin = 0, ids_end = 0;  // into ids
  };
  static constexpr int64_t kNotAnInteger = std::numeric_limits<int64_t>::min();

  explicit JsonDatasetScan(size_t text_size) { ids.reserve(text_size / 2); }  // untouched pages cost nothing

  bool root_object = false;
  List vocab_state = List::kAbsent, xy_state = List::kAbsent;
  std::vector<std::string> vocab;
  int64_t first_bad_word = -1;
  std::vector<Pair> pairs;
  std::vector<int64_t> ids;                                 // every example's ids, kNotAnInteger if not one
  std::unordered_map<size_t, std::string> bad_id_text;      // what those were
  std::string syntax_error;

  bool null() override { return scalar(Kind::kNull, nullptr, std::nullopt); }
  bool boolean(bool v) override {
    const std::string text = v ? "true" : "false";
    return scalar(Kind::kOther, &text, std::nullopt);
  }
  bool number_integer(number_integer_t v) override {
    if (in(Role::kIds)) return push_id(v);
    const std::string text = std::to_string(v);
    return scalar(Kind::kOther, &text, v);
  }
  bool number_unsigned(number_unsigned_t v) override {
    const bool fits = v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    if (in(Role::kIds) && fits) return push_id(static_cast<int64_t>(v));
    const std::string text = std::to_string(v);
    return scalar(Kind::kOther, &text, fits ? std::optional<int64_t>(static_cast<int64_t>(v)) : std::nullopt);
  }
  bool number_float(number_float_t, const string_t& text) override { return scalar(Kind::kOther, &text, std::nullopt); }
  bool string(string_t& text) override {
    if (in(Role::kVocab)) {
      vocab.push_back(std::move(text));
      return true;
    }
    int64_t v = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
    const bool integer = !text.empty() && error == std::errc() && end == text.data() + text.size();
    return scalar(Kind::kOther, &text, integer ? std::optional<int64_t>(v) : std::nullopt);
  }
  bool binary(binary_t&) override { return true; }
  bool key(string_t& name) override {
    if (in(Role::kRoot)) key_ = name;
    return true;
  }
  bool start_object(std::size_t) override { return start(false); }
  bool end_object() override { return end(); }
  bool start_array(std::size_t) override { return start(true); }
  bool end_array() override { return end(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    syntax_error = e.what();
    return false;
  }

 private:
  enum class Role { kRoot, kVocab, kXY, kPair, kIds, kSkip };
  enum class Kind { kNull, kOther };
  std::vector<Role> stack_;
  std::string key_;

  bool in(Role role) const { return !stack_.empty() && stack_.back() == role; }
  bool push_id(int64_t v) {
    if (v == kNotAnInteger) return bad_id(std::to_string(v));
    ids.push_back(v);
    return true;
  }
  bool bad_id(std::string text) {
    bad_id_text[ids.size()] = std::move(text);
    ids.push_back(kNotAnInteger);
    return true;
  }
  void bad_word() {
    if (first_bad_word < 0) first_bad_word = static_cast<int64_t>(vocab.size());
    vocab.emplace_back();
  }

  // A scalar (text: its text, nullptr for null) where the top of the stack says.
  bool scalar(Kind kind, const std::string* text, std::optional<int64_t> integer) {
    if (stack_.empty()) return true;  // a scalar document: root_object stays false
    switch (stack_.back()) {
      case Role::kRoot:
        if (key_ == "vocab") vocab_state = List::kNotList;
        if (key_ == "XY") xy_state = List::kNotList;
        break;
      case Role::kVocab:
        if (kind == Kind::kNull) bad_word();
        else vocab.push_back(*text);
        break;
      case Role::kXY:
        pairs.emplace_back().shape_ok = false;
        break;
      case Role::kPair: {
        Pair& pair = pairs.back();
        if (pair.elements++ != 1 || kind == Kind::kNull) {
          pair.shape_ok = false;
        } else {
          pair.label = integer;
          pair.label_text = *text;
        }
        break;
      }
      case Role::kIds:
        if (integer && *integer != kNotAnInteger) ids.push_back(*integer);
        else bad_id(kind == Kind::kNull ? "a list" : *text);  // yaml-cpp: null is not a scalar
        break;
      case Role::kSkip:
        break;
    }
    return true;
  }

  bool start(bool array) {
    Role role = Role::kSkip;
    if (stack_.empty()) {
      root_object = !array;
      role = array ? Role::kSkip : Role::kRoot;
    } else {
      switch (stack_.back()) {
        case Role::kRoot:
          if (key_ == "vocab") {
            vocab_state = array ? List::kList : List::kNotList;
            vocab.clear();
            first_bad_word = -1;
            if (array) role = Role::kVocab;
          } else if (key_ == "XY") {
            xy_state = array ? List::kList : List::kNotList;
            pairs.clear();
            ids.clear();
            bad_id_text.clear();
            if (array) role = Role::kXY;
          }
          break;
        case Role::kVocab:
          bad_word();
          break;
        case Role::kXY:
          pairs.emplace_back().shape_ok = array;
          if (array) role = Role::kPair;
          break;
        case Role::kPair: {
          Pair& pair = pairs.back();
          if (pair.elements++ == 0 && array) {
            pair.ids_begin = ids.size();
            role = Role::kIds;
          } else {
            pair.shape_ok = false;
          }
          break;
        }
        case Role::kIds:
          bad_id("a list");
          break;
        case Role::kSkip:
          break;
      }
    }
    stack_.push_back(role);
    return true;
  }

  bool end() {
    const Role role = stack_.back();
    stack_.pop_back();
    if (role == Role::kIds) pairs.back().ids_end = ids.size();
    if (role == Role::kPair && pairs.back().elements != 2) pairs.back().shape_ok = false;
    return true;
  }
};

std::unique_ptr<JsonDatasetScan> scan_json_dataset(const std::string& text, const std::string& origin) {
  auto scan = std::make_unique<JsonDatasetScan>(text.size());
  if (!nlohmann::json::sax_parse(text, scan.get()))
    throw Error(json::syntax_error_message(origin, std::runtime_error(scan->syntax_error)));
  return scan;
}

TextDataset dataset_from_scan(JsonDatasetScan& scan, const std::string& origin) {
  using List = JsonDatasetScan::List;
  check(scan.root_object, "{}: expected a JSON object with \"vocab\" and \"XY\"", origin);
  check(scan.vocab_state == List::kList, "{}: vocab: expected a list of words", origin);
  check(scan.xy_state == List::kList, "{}: XY: expected a list of [token ids, label] pairs", origin);

  TextDataset data;
  data.origin = origin;
  check(scan.first_bad_word < 0, "{}: vocab[{}]: expected a word (string)", origin, scan.first_bad_word);
  data.vocab = std::move(scan.vocab);
  check(!data.vocab.empty(), "{}: vocab: expected a non-empty list of words", origin);
  const auto special_id = [&](const char* name) -> int64_t {
    auto it = std::find(data.vocab.begin(), data.vocab.end(), name);
    return it == data.vocab.end() ? -1 : static_cast<int64_t>(it - data.vocab.begin());
  };
  const int64_t pad = special_id("<pad>"), bos = special_id("<bos>"), eos = special_id("<eos>");
  const int64_t vocab_size = static_cast<int64_t>(data.vocab.size());

  data.examples.reserve(scan.pairs.size());
  std::vector<int64_t> ids;
  for (size_t i = 0; i < scan.pairs.size(); ++i) {
    const JsonDatasetScan::Pair& pair = scan.pairs[i];
    check(pair.shape_ok, "{}: XY[{}]: expected [[token ids], label]", origin, i);
    const int64_t label = pair.label.value_or(-1);
    check(label == 0 || label == 1, "{}: XY[{}]: expected the label 0 or 1, got '{}'", origin, i, pair.label_text);
    ids.clear();
    for (size_t k = pair.ids_begin; k < pair.ids_end; ++k) {
      const int64_t id = scan.ids[k];
      if (id < 0 || id >= vocab_size) {
        const auto bad = scan.bad_id_text.find(k);
        throw Error(fmt::format("{}: XY[{}][0][{}]: expected a token id in [0, {}), got '{}'", origin, i,
                                k - pair.ids_begin, vocab_size,
                                bad != scan.bad_id_text.end() ? bad->second : std::to_string(id)));
      }
      if (id != pad) ids.push_back(id);
    }
    size_t first = 0, last = ids.size();
    if (last > first && ids[first] == bos) ++first;
    if (last > first && ids[last - 1] == eos) --last;
    check(last > first, "{}: XY[{}]: expected at least one token id, got none", origin, i);
    TextExample example;
    example.label = static_cast<int>(label);
    example.tokens.reserve(last - first);
    for (size_t k = first; k < last; ++k) example.tokens.push_back(data.vocab[static_cast<size_t>(ids[k])]);
    data.examples.push_back(std::move(example));
  }
  check(!data.examples.empty(), "{}: XY: expected at least one example, the list is empty", origin);
  return data;
}

}  // namespace

TextDataset parse_json_dataset(const std::string& text, const std::string& origin) {
  auto scan = scan_json_dataset(text, origin);
  return dataset_from_scan(*scan, origin);
}

TextDataset read_json_dataset(const fs::path& path) {
  check(fs::is_regular_file(path), "{}: data file not found", path.string());
  std::unique_ptr<JsonDatasetScan> scan;
  {
    const std::string text = io::read_text_file(path);  // freed before the examples are built
    scan = scan_json_dataset(text, path.string());
  }
  return dataset_from_scan(*scan, path.string());
}

}  // namespace attn::data
