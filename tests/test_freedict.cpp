// The FreeDict (dictd) lexicon reader: base64 offsets, the translations line,
// annotations and multi-word entries dropped, inflection endings, errors.
#include <catch2/catch.hpp>
#include <zlib.h>

#include "attn/core/error.h"
#include "attn/data/freedict.h"
#include "temp_dir.h"

namespace {

std::string base64(int64_t value) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  do {
    out.insert(out.begin(), alphabet[static_cast<size_t>(value % 64)]);
    value /= 64;
  } while (value > 0);
  return out;
}

void write_gzip(const std::filesystem::path& path, const std::string& text) {
  gzFile file = gzopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  REQUIRE(gzwrite(file, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size()));
  gzclose(file);
}

}  // namespace

TEST_CASE("dictd base64 numbers", "[data][lexicon]") {
  CHECK(attn::data::dictd_base64("A", "x") == 0);
  CHECK(attn::data::dictd_base64("BAK3S", "x") == ((((1 * 64 + 0) * 64 + 10) * 64 + 55) * 64 + 18));
  CHECK(attn::data::dictd_base64(base64(123456789), "x") == 123456789);
  CHECK_THROWS_WITH(attn::data::dictd_base64("B-A", "f.index:3"), Catch::Contains("f.index:3"));
}

TEST_CASE("FreeDict lexicon: translations line, annotations, inflections", "[data][lexicon]") {
  attn_test::TempDir tmp("freedict");
  const std::vector<std::pair<std::string, std::string>> entries = {
      {"", "00-database-info\nThis is a header.\n"},
      {"house", "house /haus/\nHaus <neut>, Familie <fem> [Dt.]\n      \"build a house\"  - ein Haus bauen\n"},
      {"file", "file /fail/\nComputerdatei <fem>; Datei <fem> [comp.]\n"},
      {"open", "open /open/ <v>\nder Reihe nach gehen, öffnen <v, trans>\n"},
      {"ice cream", "ice cream /x/\nEis <neut>\n"},
  };
  std::string dict, index;
  for (const auto& [headword, text] : entries) {
    index += headword + "\t" + base64(static_cast<int64_t>(dict.size())) + "\t" + base64(static_cast<int64_t>(text.size())) + "\n";
    dict += text;
  }
  tmp.write("d.index", index);
  write_gzip(tmp / "d.dict.dz", dict);
  auto lexicon = attn::data::read_freedict(tmp / "d.index", tmp / "d.dict.dz");
  CHECK(lexicon.entries == 5);
  CHECK(lexicon.translations.count("ice cream") == 0);      // multi-word headword
  CHECK(lexicon.translates("house", "haus"));
  CHECK(lexicon.translates("house", "familie"));
  CHECK(lexicon.translates("house", "hauses"));              // + -es
  CHECK(!lexicon.translates("house", "hausboot"));
  CHECK(!lexicon.translates("house", "bauen"));              // from an example line
  CHECK(lexicon.translates("file", "datei"));
  CHECK(lexicon.translates("file", "dateien"));              // + -en
  CHECK(lexicon.translates("open", "öffnen"));
  CHECK(!lexicon.translates("open", "gehen"));              // a multi-word translation is dropped
  CHECK(attn::data::lexicon_lower("Öffnen DATEI") == "öffnen datei");

  tmp.write("bad.index", "house\tBAK\n");
  CHECK_THROWS_WITH(attn::data::read_freedict(tmp / "bad.index", tmp / "d.dict.dz"), Catch::Contains("bad.index:1"));
  tmp.write("far.index", "house\tBAAAA\tB\n");
  CHECK_THROWS_WITH(attn::data::read_freedict(tmp / "far.index", tmp / "d.dict.dz"), Catch::Contains("beyond"));
  CHECK_THROWS_WITH(attn::data::read_freedict(tmp / "d.index", tmp / "missing.dict.dz"),
                    Catch::Contains("missing.dict.dz"));
}
