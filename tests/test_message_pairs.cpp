// The gettext message filter and split (attn/data/message_pairs.h) on
// hand-written entries: each rule, the counts of each stage, the
// near-duplicate groups and the seeded split.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/data/message_pairs.h"

namespace d = attn::data;

namespace {

d::GettextEntry entry(const std::string& source, const std::string& target, const std::string& context = "") {
  d::GettextEntry e;
  e.context = context;
  e.original = source;
  e.translations = {target};
  return e;
}

std::string words(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += (i ? " w" : "w") + std::to_string(i);
  return text;
}

// A letters-only name for i (digits do not count in the group key).
std::string letters(int i) {
  std::string name = "q";
  do {
    name += static_cast<char>('a' + i % 26);
    i /= 26;
  } while (i > 0);
  return name;
}

}  // namespace

TEST_CASE("message filter: placeholders become one token, named ones before printf", "[translation-data]") {
  const std::map<std::string, std::string> cases = {
      {"%s", "¤"},
      {"%1$d and %2$s", "¤ and ¤"},
      {"%-10.3lf|", "¤|"},
      {"%lu bytes, %hhu, %zu, %I64u, %lld", "¤ bytes, ¤, ¤, ¤, ¤"},
      {"%.*s %*d %.250s %08jx", "¤ ¤ ¤ ¤"},
      {"%(name)s is %(count)03d", "¤ is ¤"},
      {"%qs attribute ignored, %q+#D, %qT", "¤ attribute ignored, ¤, ¤"},
      {"%<#pragma%> not allowed at %L", "'#pragma' not allowed at ¤"},
      {"%LANGUAGENAME is used", "¤ is used"},
      {"%PRODUCTNAME %PRODUCTVERSION", "¤ ¤"},
      {"'%OBJECT_NAME%' has %MOD1+Shift", "'¤' has ¤+Shift"},
      {"$(ARG1) of $(ARG2)", "¤ of ¤"},
      {"%1 of %2.", "¤ of ¤."},
      {"%12u files", "¤ files"},
      {"100%% done, 100%%s", "100% done, 100%s"},  // an escaped '%' is text, never re-read
      {"50% slower, 100%", "50% slower, 100%"},    // no space flag
      {"%Hd and %Download", "%Hd and %Download"},  // upper case + letter: text
      {"%h %m%s", "¤ ¤¤"},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text);
    CHECK(d::normalise_placeholders(text) == expected);
  }
}

TEST_CASE("message filter: accelerator markers are stripped, identifiers kept", "[translation-data]") {
  struct Case {
    std::string source, target, want_source, want_target;
  };
  const std::vector<Case> cases = {
      {"_File", "_Datei", "File", "Datei"},
      {"Be_fore:", "Be_vor:", "Before:", "Bevor:"},
      {"Save _As", "Speichern _unter", "Save As", "Speichern unter"},
      {"~Reset", "~Wiederherstellen", "Reset", "Wiederherstellen"},
      {"&Open", "Ö&ffnen", "Open", "Öffnen"},
      {"Open", "_Öffnen", "Open", "Öffnen"},  // a marker before a non-ASCII letter
      {"AT&T syntax", "AT&T-Syntax", "AT&T syntax", "AT&T-Syntax"},
      {"the file_name option", "die Option file_name", "the file_name option", "die Option file_name"},
      {"Automatic _underline_", "Automatisch _unterstrichen_", "Automatic _underline_", "Automatisch _unterstrichen_"},
      {"Tom &amp; Jerry", "Tom &amp; Jerry", "Tom &amp; Jerry", "Tom &amp; Jerry"},
      {"a _ b ~/x", "a _ b ~/x", "a _ b ~/x", "a _ b ~/x"},
  };
  for (const Case& c : cases) {
    INFO(c.source << " / " << c.target);
    std::string source = c.source, target = c.target;
    d::strip_accelerators(source, target);
    CHECK(source == c.want_source);
    CHECK(target == c.want_target);
  }
}

TEST_CASE("message filter: whitespace collapses, words count, e2fsck abbreviations", "[translation-data]") {
  CHECK(d::collapse_whitespace("  Usage:\tls [OPTION]...\n\n  list  ") == "Usage: ls [OPTION]... list");
  CHECK(d::collapse_whitespace("z.\xC2\xA0"
                               "B. 5\xE2\x80\xAF"
                               "km\x1b") == "z. B. 5 km");
  CHECK(d::collapse_whitespace(" \n\t ").empty());
  CHECK(d::count_words("¤ of ¤") == 3);
  CHECK(d::count_words("") == 0);
  CHECK(d::has_abbreviation_code("@i"));
  CHECK(d::has_abbreviation_code("points to @i (@E)."));
  CHECK_FALSE(d::has_abbreviation_code("mail lutz@users.org or @throw or @GPGSM@ or a@b or @ x"));
  std::string source = "  Cannot open\n  '%s':  _File  ", target = "'%s' kann nicht\tgeöffnet werden: _Datei";
  d::normalise_message(source, target);
  CHECK(source == "Cannot open '¤': File");
  CHECK(target == "'¤' kann nicht geöffnet werden: Datei");
}

TEST_CASE("message filter: every stage, counted, and the most frequent target of a source", "[translation-data]") {
  d::NamedCatalogue a{"a/de/LC_MESSAGES/a.mo", {}}, b{"b/de/LC_MESSAGES/b.mo", {}};
  d::GettextEntry plural = entry("%d file", "%d Datei");
  plural.original_plural = "%d files";
  plural.translations = {"%d Datei", "%d Dateien"};
  a.catalogue.entries = {
      plural,
      entry("Open the file now", ""),                   // untranslated
      entry("Bad bytes here", "Schlechte \xFF Bytes"),  // invalid UTF-8
      entry("%s: %s (%d)", "%s: %s (%d)"),              // format-only
      entry("@E points to @i (%Di) in a bad @b.", "Eintrag in ¤ zeigt auf einen Inode in einem defekten Block."),
      entry("GNU General Public License", "GNU General Public License"),  // identical
      entry("Quit now", "Jetzt beenden"),                                 // 2 words
      entry(words(51), "viele Wörter"),                                   // 51 words
      entry("Cannot open file %s", "Datei %s kann nicht geöffnet werden"),
      entry("Cannot  open file %s", "Datei %s kann nicht geöffnet werden"),  // duplicate once normalised
      entry("Save the document", "Dokument speichern", "menu"),
  };
  b.catalogue.entries = {
      entry("Cannot open file %s", "Kann Datei %s nicht öffnen"),  // loses 1:2
      entry("Read the manual first", "Erst das Handbuch lesen"),
      entry("Read the manual first", "Lies zuerst das Handbuch"),
      entry("Read the manual first", "Lies zuerst das Handbuch"),  // wins 2:1 though seen second
      entry("Write the log file", "Protokoll schreiben"),          // tie: the first seen wins
      entry("Write the log file", "Logdatei schreiben"),
      entry("line %d of %lu", "Zeile %d von %lu"),
  };
  const d::MessageFilterResult r = d::filter_messages({a, b});
  const d::MessageFilterCounts& c = r.counts;
  CHECK(c.entries == 18);
  CHECK(c.with_context == 1);
  CHECK(c.plural == 1);
  CHECK(c.untranslated == 1);
  CHECK(c.invalid_utf8 == 1);
  CHECK(c.format_only == 1);
  CHECK(c.abbreviated == 1);
  CHECK(c.identical == 1);
  CHECK(c.too_short == 1);
  CHECK(c.too_long == 1);
  CHECK(c.duplicates == 2);
  CHECK(c.alternative_targets == 3);
  CHECK(c.kept == 5);
  CHECK(c.entries == c.plural + c.untranslated + c.invalid_utf8 + c.format_only + c.abbreviated + c.identical +
                         c.too_short + c.too_long + c.duplicates + c.alternative_targets + c.kept);
  REQUIRE(r.pairs.size() == 5);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"Cannot open file ¤", "Datei ¤ kann nicht geöffnet werden"},
      {"Save the document", "Dokument speichern"},
      {"Read the manual first", "Lies zuerst das Handbuch"},
      {"Write the log file", "Protokoll schreiben"},
      {"line ¤ of ¤", "Zeile ¤ von ¤"},
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    CHECK(r.pairs[i].source == expected[i].first);
    CHECK(r.pairs[i].target == expected[i].second);
  }
  CHECK(r.pairs[0].catalogue == 0);
  CHECK(r.pairs[2].catalogue == 1);
  CHECK(r.kept_per_catalogue == std::vector<int64_t>{2, 3});
}

TEST_CASE("message filter: the source word limits are inclusive", "[translation-data]") {
  d::NamedCatalogue cat{"c.mo", {}};
  for (int n : {2, 3, 5, 6}) cat.catalogue.entries.push_back(entry(words(n), "x" + std::to_string(n)));
  const auto r = d::filter_messages({cat}, d::MessageFilterOptions{3, 5});
  REQUIRE(r.pairs.size() == 2);
  CHECK(r.pairs[0].target == "x3");
  CHECK(r.pairs[1].target == "x5");
  CHECK(r.counts.too_short == 1);
  CHECK(r.counts.too_long == 1);
  CHECK_THROWS_WITH(d::filter_messages({cat}, d::MessageFilterOptions{4, 3}),
                    Catch::Contains("expected 1 <= min_source_words <= max_source_words"));
}

TEST_CASE("message split: near-duplicates stay together, seeded, sizes add up", "[translation-data]") {
  CHECK(d::near_duplicate_key("Cannot open '¤': ¤ (2)") == "cannot open");
  CHECK(d::near_duplicate_key("cannot  OPEN ¤") == "cannot open");
  CHECK(d::near_duplicate_key("Größe 3: ändern") == "größe ändern");

  // 60 groups of 1-5 near-duplicate messages (they differ in digits and case).
  std::vector<d::MessagePair> pairs;
  size_t largest = 0;
  for (int g = 0; g < 60; ++g) {
    const int members = 1 + (g * 7) % 5;
    largest = std::max<size_t>(largest, members);
    for (int m = 0; m < members; ++m)
      pairs.push_back({fmt::format("{} message {} for {}", m % 2 ? "Error" : "error", m, letters(g)),
                       fmt::format("Fehlermeldung {} für {}", m, letters(g)), 0});
  }
  const d::MessageSplitOptions options{0.1, 0.15, 7};
  const d::MessageSplit split = d::split_message_pairs(pairs, options);
  CHECK(split.groups == 60);
  CHECK(split.train.size() + split.valid.size() + split.test.size() == pairs.size());
  const size_t n_valid = static_cast<size_t>(std::llround(0.1 * pairs.size()));
  const size_t n_test = static_cast<size_t>(std::llround(0.15 * pairs.size()));
  CHECK(split.valid.size() >= n_valid);
  CHECK(split.valid.size() < n_valid + largest);
  CHECK(split.test.size() >= n_test);
  CHECK(split.test.size() < n_test + largest);

  std::map<std::string, std::set<int>> sides;  // group key -> splits it appears in
  const std::vector<d::MessagePair>* parts[] = {&split.train, &split.valid, &split.test};
  for (int s = 0; s < 3; ++s)
    for (const auto& p : *parts[s]) sides[d::near_duplicate_key(p.source)].insert(s);
  CHECK(sides.size() == 60);
  for (const auto& [key, in] : sides) {
    INFO(key);
    CHECK(in.size() == 1);
  }

  // Deterministic, independent of the input order, and the seed matters.
  std::vector<d::MessagePair> reversed(pairs.rbegin(), pairs.rend());
  const d::MessageSplit again = d::split_message_pairs(reversed, options);
  const auto sources = [](const std::vector<d::MessagePair>& v) {
    std::vector<std::string> s;
    for (const auto& p : v) s.push_back(p.source);
    return s;
  };
  CHECK(sources(again.train) == sources(split.train));
  CHECK(sources(again.valid) == sources(split.valid));
  CHECK(sources(again.test) == sources(split.test));
  const d::MessageSplit other = d::split_message_pairs(pairs, d::MessageSplitOptions{0.1, 0.15, 8});
  CHECK(sources(other.valid) != sources(split.valid));

  CHECK_THROWS_WITH(d::split_message_pairs(pairs, d::MessageSplitOptions{0.6, 0.5, 1}),
                    Catch::Contains("--valid-fraction + --test-fraction: expected a sum below 1"));
  CHECK_THROWS_WITH(d::split_message_pairs(pairs, d::MessageSplitOptions{-0.1, 0.1, 1}),
                    Catch::Contains("--valid-fraction: expected a value in [0, 1)"));
}
