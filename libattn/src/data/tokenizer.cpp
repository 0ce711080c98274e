// Word-level tokenizer (see attn/data/tokenizer.h).
#include "attn/data/tokenizer.h"

namespace attn::data {

namespace {

bool is_ascii_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
// Bytes of multi-byte UTF-8 characters are treated as letters, so that "café"
// or "naïve" stay one token without a Unicode table.
bool is_word_char(unsigned char c) { return is_ascii_letter(c) || is_digit(c) || c >= 0x80; }
bool is_separator(unsigned char c) { return c <= 0x20 || c == 0x7f; }

}  // namespace

std::vector<std::string> tokenize(std::string_view text, const TokenizerOptions& options) {
  std::vector<std::string> tokens;
  const size_t n = text.size();
  auto at = [&](size_t i) -> unsigned char { return i < n ? static_cast<unsigned char>(text[i]) : 0; };
  size_t i = 0;
  while (i < n) {
    const unsigned char c = at(i);
    if (is_separator(c)) {
      ++i;
      continue;
    }
    if (!is_word_char(c)) {  // punctuation: one token per character
      tokens.emplace_back(1, static_cast<char>(c));
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < n) {
      const unsigned char here = at(i);
      if (is_word_char(here)) {
        ++i;
      } else if (here == '\'' && is_ascii_letter(at(i - 1)) && is_ascii_letter(at(i + 1))) {
        ++i;  // "don't", "o'clock"
      } else if ((here == '.' || here == ',') && is_digit(at(i - 1)) && is_digit(at(i + 1))) {
        ++i;  // "3.5", "1,000"
      } else {
        break;
      }
    }
    std::string token(text.substr(start, i - start));
    if (options.lowercase)
      for (char& ch : token)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    tokens.push_back(std::move(token));
  }
  return tokens;
}

}  // namespace attn::data
