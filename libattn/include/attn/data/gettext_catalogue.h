// GNU gettext message catalogues (.mo), read in C++: the source of the
// translation experiment's embedded corpus (software messages, English ->
// German; PAPER.md 5 "translation", issue 15). The format is GNU gettext's
// (gmo.h): a header, two tables of (length, offset) string descriptors,
// and in revision 1 a section of "system-dependent" strings.
//
// What the reader does with each kind of entry:
//   msgctxt   "context\x04msgid" in the file: split into context and original.
//   plural    "msgid\0msgid_plural" -> original + original_plural, and the
//             translation's forms (separated by \0) -> translations.
//   charset   taken from the header entry (empty msgid); every string is
//             converted to UTF-8 (iconv); a conversion that fails is an error
//             naming the file and entry.
//   system-dependent strings (revision 1: segments such as <PRIu64>): expanded
//             as glibc on x86-64 expands them (PRIu64 -> "lu", PRId32 -> "d",
//             PRIxMAX -> "lx", "I" -> "I"), like gettext at run time; an
//             entry naming an unknown segment is skipped and counted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace attn::data {

struct GettextEntry {
  std::string context;                    ///< msgctxt, "" when none
  std::string original;                   ///< msgid (English)
  std::string original_plural;            ///< msgid_plural, "" unless plural
  std::vector<std::string> translations;  ///< msgstr, or msgstr[0..n) for a plural entry
  bool system_dependent = false;          ///< came from the revision-1 section
  bool plural() const { return !original_plural.empty(); }
};

struct GettextCatalogue {
  std::string charset = "UTF-8";         ///< as the header named it
  std::string header;                    ///< the header entry's text (msgid "")
  std::vector<GettextEntry> entries;     ///< every entry but the header, in file order
  int64_t skipped_system_dependent = 0;  ///< entries naming a segment this reader cannot expand
};

/// Parses the bytes of a .mo file; `origin` names it in errors ("<file>: ...").
GettextCatalogue parse_mo(std::string_view bytes, const std::string& origin);

/// Reads and parses a .mo file; throws attn::Error naming it when it is
/// missing, truncated, of another magic number or revision, or not convertible.
GettextCatalogue read_mo_file(const std::filesystem::path& path);

}  // namespace attn::data
