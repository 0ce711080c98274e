// Token <-> id mapping (see attn/data/vocabulary.h).
#include "attn/data/vocabulary.h"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "attn/core/error.h"
#include "attn/io/files.h"

namespace attn::data {

const std::vector<std::string>& Vocabulary::specials() {
  static const std::vector<std::string> names{"<pad>", "<bos>", "<eos>", "<unk>"};
  return names;
}

Vocabulary::Vocabulary() {
  for (const std::string& s : specials()) {
    ids_.emplace(s, static_cast<int64_t>(tokens_.size()));
    tokens_.push_back(s);
  }
}

void Vocabulary::add(const std::string& token, const std::string& origin, int64_t line) {
  const std::string where = line > 0 ? fmt::format("{}:{}", origin, line) : origin;
  check(!token.empty(), "{}: expected a token, got an empty one", where);
  check(token.find_first_of("\n\r") == std::string::npos,
        "{}: token '{}' contains a line break (tokens are stored one per line)", where, token);
  check(ids_.count(token) == 0, "{}: duplicate token '{}' (already id {})", where, token,
        ids_.count(token) ? ids_.at(token) : -1);
  ids_.emplace(token, static_cast<int64_t>(tokens_.size()));
  tokens_.push_back(token);
}

Vocabulary Vocabulary::build(const std::vector<std::vector<std::string>>& token_lists,
                             const VocabularyOptions& options) {
  check(options.min_count() >= 1, "vocabulary min_count: expected >= 1, got {}", options.min_count());
  check(options.max_tokens() >= 0, "vocabulary max_tokens: expected >= 0 (0 = no limit), got {}",
        options.max_tokens());
  std::unordered_map<std::string, int64_t> counts;
  for (const auto& tokens : token_lists)
    for (const std::string& t : tokens) ++counts[t];
  for (const std::string& s : specials()) counts.erase(s);  // a literal "<unk>" in text stays unk

  std::vector<std::pair<std::string, int64_t>> kept;
  for (auto& [token, count] : counts)
    if (count >= options.min_count() && !token.empty()) kept.emplace_back(token, count);
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (options.max_tokens() > 0 && static_cast<int64_t>(kept.size()) > options.max_tokens())
    kept.resize(static_cast<size_t>(options.max_tokens()));

  Vocabulary vocab;
  for (const auto& [token, count] : kept) vocab.add(token, "<build>", 0);
  return vocab;
}

Vocabulary Vocabulary::from_tokens(const std::vector<std::string>& tokens, const std::string& origin) {
  Vocabulary vocab;
  for (size_t i = 0; i < tokens.size(); ++i)
    vocab.add(tokens[i], fmt::format("{}: token {}", origin, i), 0);
  return vocab;
}

int64_t Vocabulary::id(const std::string& token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? kUnk : it->second;
}

const std::string& Vocabulary::token(int64_t id) const {
  check(id >= 0 && id < size(), "vocabulary: id {} out of range [0, {})", id, size());
  return tokens_[static_cast<size_t>(id)];
}

std::vector<int64_t> Vocabulary::encode(const std::vector<std::string>& tokens) const {
  std::vector<int64_t> ids;
  ids.reserve(tokens.size() + 2);
  ids.push_back(kBos);
  for (const std::string& t : tokens) ids.push_back(id(t));
  ids.push_back(kEos);
  return ids;
}

std::vector<std::string> Vocabulary::decode(const std::vector<int64_t>& ids) const {
  std::vector<std::string> out;
  for (int64_t i : ids)
    if (i != kPad && i != kBos && i != kEos) out.push_back(token(i));
  return out;
}

void Vocabulary::save(const std::filesystem::path& path) const {
  std::string text;
  for (const std::string& t : tokens_) {
    text += t;
    text += '\n';
  }
  io::write_file_atomic(path, text);
}

Vocabulary Vocabulary::load(const std::filesystem::path& path) {
  check(std::filesystem::exists(path), "{}: vocabulary file not found", path.string());
  const std::string text = io::read_text_file(path);
  const std::string origin = path.string();
  std::istringstream lines(text);
  std::string line;
  int64_t number = 0;
  Vocabulary vocab;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number <= kNumSpecials) {
      const std::string& expected = specials()[static_cast<size_t>(number - 1)];
      check(line == expected, "{}:{}: expected the special token '{}', got '{}'", origin, number,
            expected, line);
      continue;
    }
    vocab.add(line, origin, number);
  }
  check(number >= kNumSpecials, "{}:{}: expected the 4 special tokens <pad> <bos> <eos> <unk> first, "
        "the file ends early", origin, number + 1);
  return vocab;
}

}  // namespace attn::data
