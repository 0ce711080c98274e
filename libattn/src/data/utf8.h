// Internal: the little UTF-8 the data layer needs (the message filter and the
// parallel-text readers), without a Unicode library. Deterministic on every
// machine, unlike <cwctype> whose answers depend on the locale.
#pragma once

#include <cstdint>
#include <string_view>

namespace attn::data::utf8 {

/// The code point starting at text[i] and its length in bytes; an invalid or
/// truncated sequence (overlong, surrogate, above U+10FFFF) gives
/// {0xFFFFFFFF, 1} so that a caller can step over it byte by byte.
struct CodePoint {
  uint32_t value;
  size_t length;
};

inline CodePoint decode(std::string_view text, size_t i) {
  constexpr CodePoint kInvalid{0xFFFFFFFFu, 1};
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {lead, 1};
  size_t length = 0;
  uint32_t value = 0, minimum = 0;
  if ((lead & 0xE0) == 0xC0)
    length = 2, value = lead & 0x1Fu, minimum = 0x80;
  else if ((lead & 0xF0) == 0xE0)
    length = 3, value = lead & 0x0Fu, minimum = 0x800;
  else if ((lead & 0xF8) == 0xF0)
    length = 4, value = lead & 0x07u, minimum = 0x10000;
  else
    return kInvalid;
  if (i + length > text.size()) return kInvalid;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return kInvalid;
    value = (value << 6) | (byte(i + k) & 0x3Fu);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return kInvalid;
  return {value, length};
}

/// The byte offset of the first invalid sequence, or npos when `text` is valid UTF-8.
inline size_t first_invalid(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const CodePoint c = decode(text, i);
    if (c.value == 0xFFFFFFFFu) return i;
    i += c.length;
  }
  return std::string_view::npos;
}

inline bool valid(std::string_view text) { return first_invalid(text) == std::string_view::npos; }

/// A letter: ASCII, or a code point of a block of letters (Latin-1 and Latin
/// Extended, IPA, Greek, Cyrillic, ... up to U+1FFF, less × ÷ and the
/// combining marks; kana and CJK; Hangul). Punctuation, symbols and digits are not.
inline bool is_letter(uint32_t c) {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  if (c == 0xAA || c == 0xB5 || c == 0xBA) return true;  // ª µ º
  if (c >= 0xC0 && c <= 0x1FFF) return c != 0xD7 && c != 0xF7 && !(c >= 0x300 && c <= 0x36F);
  return (c >= 0x3040 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF);
}

/// Whitespace for the message filter: ASCII and C1 control characters and
/// space, DEL, no-break and typographic spaces.
inline bool is_space(uint32_t c) {
  return c <= 0x20 || (c >= 0x7F && c <= 0xA0) || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

}  // namespace attn::data::utf8
