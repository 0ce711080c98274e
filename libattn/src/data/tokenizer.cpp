// Word-level tokenizer (see attn/data/tokenizer.h).
#include "attn/data/tokenizer.h"

namespace attn::data {

namespace {

bool is_ascii_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(unsigned char c) { return c >= '0' && c <= '9'; }
// Bytes of multi-byte UTF-8 characters are treated as letters, so that "café"
// or "naïve" stay one token without a Unicode table.
bool is_word_char(unsigned char c) { return is_ascii_letter(c) || is_ascii_digit(c) || c >= 0x80; }
bool is_separator(unsigned char c) { return c <= 0x20 || c == 0x7f; }

// ASCII A-Z, and the Latin-1 capitals U+00C0..U+00DE (UTF-8 C3 80..C3 9E,
// except U+00D7 the multiplication sign), whose small letters are 0x20 above.
void lowercase_in_place(std::string& token) {
  for (size_t i = 0; i < token.size(); ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    if (c >= 'A' && c <= 'Z') {
      token[i] = static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xC3 && i + 1 < token.size()) {
      const auto next = static_cast<unsigned char>(token[i + 1]);
      if (next >= 0x80 && next <= 0x9E && next != 0x97) token[i + 1] = static_cast<char>(next + 0x20);
      ++i;
    }
  }
}

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
      } else if ((here == '.' || here == ',') && is_ascii_digit(at(i - 1)) && is_ascii_digit(at(i + 1))) {
        ++i;  // "3.5", "1,000"
      } else {
        break;
      }
    }
    std::string token(text.substr(start, i - start));
    if (options.lowercase) lowercase_in_place(token);
    tokens.push_back(std::move(token));
  }
  return tokens;
}

}  // namespace attn::data
