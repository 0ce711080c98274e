// .mo reading on catalogues the test writes itself (GNU gettext's gmo.h
// layout, both byte orders, with a revision-1 system-dependent section).
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "attn/data/gettext_catalogue.h"
#include "temp_dir.h"

using attn::data::parse_mo;

namespace {

// A .mo file: static entries (sorted as msgfmt would not matter here) and
// system-dependent strings given as alternating static texts and segment
// references (-1 ends).
struct SysdepString {
  std::vector<std::pair<std::string, int>> parts;  ///< (static text, segment index or -1)
};

std::string build_mo(const std::vector<std::pair<std::string, std::string>>& entries, bool big_endian,
                     const std::vector<std::string>& segments = {},
                     const std::vector<std::pair<SysdepString, SysdepString>>& sysdep = {}) {
  const bool rev1 = !segments.empty();
  std::string out;
  auto put = [&](uint32_t v) {
    if (big_endian) v = __builtin_bswap32(v);
    out.append(reinterpret_cast<const char*>(&v), 4);
  };
  auto put_at = [&](size_t at, uint32_t v) {
    if (big_endian) v = __builtin_bswap32(v);
    std::memcpy(&out[at], &v, 4);
  };
  const uint32_t n = static_cast<uint32_t>(entries.size());
  const uint32_t header = rev1 ? 48 : 28;
  put(0x950412de), put(rev1 ? 1 : 0), put(n), put(header), put(header + 8 * n), put(0), put(0);
  if (rev1)
    for (int i = 0; i < 5; ++i) put(0);  // filled below
  const size_t tables = out.size();
  out.resize(tables + 16 * n);
  std::vector<uint32_t> originals, translations;
  for (uint32_t i = 0; i < n; ++i) {
    put_at(tables + 8 * i, static_cast<uint32_t>(entries[i].first.size()));
    put_at(tables + 8 * i + 4, static_cast<uint32_t>(out.size()));
    out += entries[i].first + '\0';
  }
  for (uint32_t i = 0; i < n; ++i) {
    put_at(tables + 8 * n + 8 * i, static_cast<uint32_t>(entries[i].second.size()));
    put_at(tables + 8 * n + 8 * i + 4, static_cast<uint32_t>(out.size()));
    out += entries[i].second + '\0';
  }
  if (!rev1) return out;
  // Segment names, then each sysdep string's static text and its descriptor.
  std::vector<std::pair<uint32_t, uint32_t>> segment_descriptors;
  for (const auto& s : segments) {
    segment_descriptors.emplace_back(static_cast<uint32_t>(s.size() + 1), static_cast<uint32_t>(out.size()));
    out += s + '\0';
  }
  auto write_sysdep = [&](const SysdepString& s) {
    const uint32_t text_at = static_cast<uint32_t>(out.size());
    for (size_t k = 0; k < s.parts.size(); ++k)
      out += s.parts[k].first + (k + 1 == s.parts.size() ? std::string(1, '\0') : "");
    const uint32_t descriptor_at = static_cast<uint32_t>(out.size());
    put(text_at);
    for (size_t k = 0; k < s.parts.size(); ++k) {
      put(static_cast<uint32_t>(s.parts[k].first.size() + (k + 1 == s.parts.size() ? 1 : 0)));
      put(s.parts[k].second < 0 ? 0xFFFFFFFFu : static_cast<uint32_t>(s.parts[k].second));
    }
    return descriptor_at;
  };
  std::vector<uint32_t> original_at, translation_at;
  for (const auto& [id, str] : sysdep)
    original_at.push_back(write_sysdep(id)), translation_at.push_back(write_sysdep(str));
  const uint32_t segments_table = static_cast<uint32_t>(out.size());
  for (const auto& [length, offset] : segment_descriptors) put(length), put(offset);
  const uint32_t originals_table = static_cast<uint32_t>(out.size());
  for (uint32_t v : original_at) put(v);
  const uint32_t translations_table = static_cast<uint32_t>(out.size());
  for (uint32_t v : translation_at) put(v);
  put_at(28, static_cast<uint32_t>(segments.size()));
  put_at(32, segments_table);
  put_at(36, static_cast<uint32_t>(sysdep.size()));
  put_at(40, originals_table);
  put_at(44, translations_table);
  return out;
}

const std::vector<std::pair<std::string, std::string>> kEntries = {
    {"", "Content-Type: text/plain; charset=ISO-8859-1\nPlural-Forms: nplurals=2; plural=(n != 1);\n"},
    {"Hello", "Hallo"},
    {std::string("menu") + '\x04' + "File", "Datei"},
    {std::string("%d file") + '\0' + "%d files", std::string("%d Datei") + '\0' + "%d Dateien"},
    {"Size",
     "Gr\xF6\xDF"
     "e"},  // Latin-1
};

}  // namespace

TEST_CASE(".mo catalogues: context, plural, charset, both byte orders", "[gettext]") {
  for (bool big_endian : {false, true}) {
    const auto catalogue = parse_mo(build_mo(kEntries, big_endian), "t.mo");
    CHECK(catalogue.charset == "ISO-8859-1");
    REQUIRE(catalogue.entries.size() == 4);  // the header is not an entry
    CHECK(catalogue.entries[0].original == "Hello");
    CHECK(catalogue.entries[0].translations == std::vector<std::string>{"Hallo"});
    CHECK(catalogue.entries[1].context == "menu");
    CHECK(catalogue.entries[1].original == "File");
    CHECK(catalogue.entries[2].plural());
    CHECK(catalogue.entries[2].original == "%d file");
    CHECK(catalogue.entries[2].original_plural == "%d files");
    CHECK(catalogue.entries[2].translations == std::vector<std::string>{"%d Datei", "%d Dateien"});
    CHECK(catalogue.entries[3].translations[0] == "Größe");  // converted to UTF-8
  }
}

TEST_CASE(".mo catalogues: revision 1 system-dependent strings are expanded as glibc does", "[gettext]") {
  const std::vector<std::string> segments = {"PRIu64", "PRId32", "NOT_A_MACRO"};
  const std::vector<std::pair<SysdepString, SysdepString>> sysdep = {
      {{{{"%", 0}, {" bytes", -1}}}, {{{"%", 0}, {" Bytes", -1}}}},
      {{{{"line %", 1}, {" of %", 0}, {"", -1}}}, {{{"Zeile %", 1}, {" von %", 0}, {"", -1}}}},
      {{{{"%", 2}, {" x", -1}}}, {{{"%", 2}, {" y", -1}}}},
  };
  const auto catalogue = parse_mo(build_mo({{"", "charset=UTF-8\n"}, {"a", "b"}}, false, segments, sysdep), "s.mo");
  REQUIRE(catalogue.entries.size() == 3);
  CHECK(catalogue.entries[1].original == "%lu bytes");
  CHECK(catalogue.entries[1].translations[0] == "%lu Bytes");
  CHECK(catalogue.entries[1].system_dependent);
  CHECK(catalogue.entries[2].original == "line %d of %lu");
  CHECK(catalogue.entries[2].translations[0] == "Zeile %d von %lu");
  CHECK(catalogue.skipped_system_dependent == 1);
}

TEST_CASE(".mo catalogues: damaged files are one-line errors naming the file", "[gettext]") {
  const std::string good = build_mo(kEntries, false);
  CHECK_THROWS_WITH(parse_mo("short", "x.mo"), Catch::Contains("x.mo: not a .mo catalogue"));
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  CHECK_THROWS_WITH(parse_mo(bad_magic, "x.mo"), Catch::Contains("x.mo: not a .mo catalogue (magic number"));
  CHECK_THROWS_WITH(parse_mo(good.substr(0, good.size() - 20), "x.mo"), Catch::Contains("x.mo: truncated catalogue"));
  attn_test::TempDir tmp("gettext");
  CHECK_THROWS_WITH(attn::data::read_mo_file(tmp / "missing.mo"), Catch::Contains("missing.mo: catalogue not found"));
  const auto file = tmp.write("de.mo", good);
  CHECK(attn::data::read_mo_file(file).entries.size() == 4);
}
