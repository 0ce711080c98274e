// A human word-translation lexicon from a FreeDict dictionary in dictd format
// (Debian's dict-freedict-eng-deu: /usr/share/dictd/freedict-eng-deu.index
// and .dict.dz), for scoring KTIW against human translations (issue 15; not
// in the paper).
//
// The index has one line per entry, `headword TAB offset TAB length`, the
// numbers in dictd's base64 (A-Z a-z 0-9 + /, most significant digit first),
// into the decompressed .dict.dz (dictzip is gzip with an extra header field,
// so zlib's gzip reader reads it whole). An entry is
//   headword /IPA/ [<pos>]
//   Translation <gender>, Other translation [label] , ...
//       "example"  - Beispiel                 (indented lines: ignored)
// Only the second line is read: it is split at ',' and ';'; <...>, [...] and
// (...) annotations are removed; translations of more than one word and
// headwords of more than one word are dropped (the score compares single
// pieces). Headwords and translations are lower-cased (ASCII and the German
// umlauts; a sentence-initial capital must not hide a match).
#pragma once

#include <filesystem>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace attn::data {

struct Lexicon {
  /// English word -> its German single-word translations, lower-cased.
  std::unordered_map<std::string, std::unordered_set<std::string>> translations;
  int64_t entries = 0;  ///< index lines read

  /// True when `german` (lower-cased) is a listed translation of `english`,
  /// or one of them followed by a German inflection ending (-e, -en, -er,
  /// -es, -n, -s): the dictionary lists base forms only.
  bool translates(const std::string& english, const std::string& german) const;
};

/// Decodes a dictd base64 number; throws attn::Error naming `origin` for a bad digit.
int64_t dictd_base64(const std::string& digits, const std::string& origin);

/// Reads a dictd dictionary; errors name the file (and index line).
Lexicon read_freedict(const std::filesystem::path& index_file, const std::filesystem::path& dict_file);

/// Lower-cases ASCII letters and Ä Ö Ü (UTF-8) for matching.
std::string lexicon_lower(const std::string& word);

}  // namespace attn::data
