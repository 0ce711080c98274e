// .mo reading on catalogues the test writes itself (GNU gettext's gmo.h
// layout, both byte orders, with a revision-1 system-dependent section).
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "attn/data/gettext_catalogue.h"
#include "mo_writer.h"
#include "temp_dir.h"

using attn::data::parse_mo;

using attn_test::build_mo;
using attn_test::SysdepString;

namespace {

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
