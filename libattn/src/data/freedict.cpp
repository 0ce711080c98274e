// FreeDict lexicons (see attn/data/freedict.h).
#include "attn/data/freedict.h"

#include <fmt/format.h>
#include <zlib.h>

#include <fstream>
#include <sstream>

#include "attn/core/error.h"

namespace attn::data {

namespace fs = std::filesystem;

namespace {

std::string read_gzip(const fs::path& path) {
  check(fs::exists(path), "{}: not found (install dict-freedict-eng-deu or point analysis.lexicon at it)",
        path.string());
  gzFile file = gzopen(path.c_str(), "rb");
  check(file != nullptr, "{}: cannot open", path.string());
  std::string out;
  char buffer[1 << 16];
  int got = 0;
  while ((got = gzread(file, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(got));
  int error = 0;
  const char* message = gzerror(file, &error);
  const std::string why = error != Z_OK && error != Z_STREAM_END ? message : "";
  gzclose(file);
  check(got == 0 && why.empty(), "{}: damaged gzip data ({})", path.string(), why.empty() ? "read error" : why);
  return out;
}

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

/// Removes <...>, [...] and (...) spans.
std::string strip_annotations(const std::string& s) {
  std::string out;
  int depth = 0;
  for (char c : s) {
    if (c == '<' || c == '[' || c == '(') ++depth;
    else if ((c == '>' || c == ']' || c == ')') && depth > 0) --depth;
    else if (depth == 0) out += c;
  }
  return out;
}

}  // namespace

std::string lexicon_lower(const std::string& word) {
  std::string out;
  for (size_t i = 0; i < word.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(word[i]);
    if (c == 0xC3 && i + 1 < word.size()) {  // Ä Ö Ü -> ä ö ü
      const unsigned char next = static_cast<unsigned char>(word[i + 1]);
      out += static_cast<char>(c);
      out += static_cast<char>(next == 0x84 || next == 0x96 || next == 0x9C ? next + 0x20 : next);
      ++i;
      continue;
    }
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  return out;
}

bool Lexicon::translates(const std::string& english, const std::string& german) const {
  auto it = translations.find(english);
  if (it == translations.end()) return false;
  if (it->second.count(german)) return true;
  for (const char* ending : {"e", "en", "er", "es", "n", "s"}) {
    const std::string suffix(ending);
    if (german.size() > suffix.size() + 1 && german.compare(german.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        it->second.count(german.substr(0, german.size() - suffix.size())))
      return true;
  }
  return false;
}

int64_t dictd_base64(const std::string& digits, const std::string& origin) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  check(!digits.empty(), "{}: expected a base64 number, got an empty field", origin);
  int64_t value = 0;
  for (char c : digits) {
    const auto digit = alphabet.find(c);
    check(digit != std::string::npos, "{}: '{}' is not a dictd base64 number (bad digit '{}')", origin, digits, c);
    value = value * 64 + static_cast<int64_t>(digit);
  }
  return value;
}

Lexicon read_freedict(const fs::path& index_file, const fs::path& dict_file) {
  std::ifstream index(index_file);
  check(index.good(), "{}: not found (install dict-freedict-eng-deu or point analysis.lexicon at it)",
        index_file.string());
  const std::string dict = read_gzip(dict_file);
  Lexicon lexicon;
  std::string line;
  int64_t number = 0;
  while (std::getline(index, line)) {
    ++number;
    const std::string where = fmt::format("{}:{}", index_file.string(), number);
    const auto tab1 = line.find('\t'), tab2 = line.find('\t', tab1 == std::string::npos ? 0 : tab1 + 1);
    check(tab1 != std::string::npos && tab2 != std::string::npos,
          "{}: expected 'headword TAB offset TAB length'", where);
    const std::string headword = lexicon_lower(line.substr(0, tab1));
    const int64_t offset = dictd_base64(line.substr(tab1 + 1, tab2 - tab1 - 1), where);
    const int64_t length = dictd_base64(line.substr(tab2 + 1), where);
    check(offset + length <= static_cast<int64_t>(dict.size()), "{}: entry at {}+{} lies beyond the {} bytes of {}",
          where, offset, length, dict.size(), dict_file.string());
    ++lexicon.entries;
    if (headword.empty() || headword.find(' ') != std::string::npos || headword.rfind("00database", 0) == 0) continue;
    const std::string entry = dict.substr(static_cast<size_t>(offset), static_cast<size_t>(length));
    const auto first = entry.find('\n');
    if (first == std::string::npos) continue;
    const auto second = entry.find('\n', first + 1);
    std::string translations = strip_annotations(entry.substr(first + 1, second == std::string::npos
                                                                             ? std::string::npos
                                                                             : second - first - 1));
    for (char& c : translations)
      if (c == ';') c = ',';
    std::stringstream parts(translations);
    std::string part;
    while (std::getline(parts, part, ',')) {
      const std::string word = lexicon_lower(trim(part));
      if (word.empty() || word.find_first_of(" /") != std::string::npos) continue;
      lexicon.translations[headword].insert(word);
    }
  }
  check(lexicon.entries > 0, "{}: no entries", index_file.string());
  return lexicon;
}

}  // namespace attn::data
