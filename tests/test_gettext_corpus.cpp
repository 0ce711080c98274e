// The corpus step (attn/data/gettext_corpus.h and attn-prepare-translation)
// on unpacked "packages" the test writes: which catalogues are read, the
// files and manifest written, verification, and that a damaged .mo or a
// missing package is a one-line error that leaves no output folder.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/data/gettext_corpus.h"
#include "attn/data/parallel_text.h"
#include "attn/io/checksum.h"
#include "attn/io/files.h"
#include "app_runner.h"
#include "mo_writer.h"
#include "temp_dir.h"

namespace d = attn::data;
namespace fs = std::filesystem;

namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

const std::string kHeader = "Content-Type: text/plain; charset=UTF-8\n";

std::string name(int i) {  // letters only: each its own near-duplicate group
  std::string s = "n";
  do {
    s += static_cast<char>('a' + i % 26);
    i /= 26;
  } while (i > 0);
  return s;
}

// Package "alpha" (version with an epoch): 40 good messages, a plural and a
// short one in de/, and catalogues the reader must not take (de_AT, fr, a
// .mo outside LC_MESSAGES). Package "beta": LibreOffice's layout, a
// revision-1 catalogue with one system-dependent string. Package "gamma":
// no German catalogue.
void write_packages(const attn_test::TempDir& tmp) {
  Entries alpha = {{"", kHeader}};
  for (int i = 0; i < 40; ++i)
    alpha.emplace_back("Message " + name(i) + " was sent", "Nachricht " + name(i) + " wurde gesendet");
  alpha.emplace_back(std::string("%d file") + '\0' + "%d files", std::string("%d Datei") + '\0' + "%d Dateien");
  alpha.emplace_back("Quit", "Beenden");
  tmp.write("unpacked/alpha/DEBIAN/control",
            "Package: alpha\nVersion: 1:2.0-1\nArchitecture: all\n"
            "Description: test\n more text\n");
  tmp.write("unpacked/alpha/usr/share/locale/de/LC_MESSAGES/alpha.mo", attn_test::build_mo(alpha, false));
  tmp.write("unpacked/alpha/usr/share/locale/de_AT/LC_MESSAGES/alpha.mo",
            attn_test::build_mo({{"", kHeader}, {"Open the box now", "Die Schachtel jetzt aufmachen"}}, false));
  tmp.write("unpacked/alpha/usr/share/locale/fr/LC_MESSAGES/alpha.mo",
            attn_test::build_mo({{"", kHeader}, {"Open the box now", "Ouvrir la boîte"}}, false));
  tmp.write("unpacked/alpha/usr/share/alpha/de/other.mo",
            attn_test::build_mo({{"", kHeader}, {"Open the box now", "Box öffnen"}}, false));

  const std::vector<std::pair<attn_test::SysdepString, attn_test::SysdepString>> sysdep = {
      {{{{"Read %", 0}, {" of %", 0}, {" bytes", -1}}}, {{{"%", 0}, {" von %", 0}, {" Bytes gelesen", -1}}}}};
  tmp.write("unpacked/beta/DEBIAN/control", "Package: beta\nVersion: 7.4\nArchitecture: amd64\n");
  tmp.write(
      "unpacked/beta/usr/lib/office/program/resource/de/LC_MESSAGES/beta.mo",
      attn_test::build_mo({{"", kHeader}, {"Insert %PRODUCTNAME table here", "%PRODUCTNAME-Tabelle hier einfügen"}},
                          true, {"PRIu64"}, sysdep));
  tmp.write("unpacked/gamma/DEBIAN/control", "Package: gamma\nVersion: 1\nArchitecture: all\n");
  tmp.write("unpacked/gamma/usr/share/doc/gamma/README", "nothing to translate\n");
}

std::set<std::pair<std::string, std::string>> pair_set(const std::vector<d::SentencePair>& pairs) {
  std::set<std::pair<std::string, std::string>> s;
  for (const auto& p : pairs) s.emplace(p.source, p.target);
  return s;
}

}  // namespace

TEST_CASE("gettext corpus: German catalogues of unpacked packages -> split files and manifest", "[translation-data]") {
  attn_test::TempDir tmp("gettext_corpus");
  write_packages(tmp);
  const fs::path unpacked = tmp / "unpacked", out = tmp / "corpus";

  CHECK(d::find_german_catalogues(unpacked / "alpha") ==
        std::vector<fs::path>{"usr/share/locale/de/LC_MESSAGES/alpha.mo"});
  const d::DebianPackage alpha = d::read_package_control(unpacked / "alpha");
  CHECK(alpha.version == "1:2.0-1");
  CHECK(alpha.architecture == "all");

  d::GettextCorpusOptions options;
  options.split = {0.1, 0.1, 3};
  const d::GettextCorpus corpus = d::build_gettext_corpus(unpacked, {}, options);  // every folder, sorted
  REQUIRE(corpus.packages.size() == 3);
  CHECK(corpus.packages[1].name == "beta");
  CHECK(corpus.package_catalogues == std::vector<int64_t>{1, 1, 0});
  REQUIRE(corpus.catalogues.size() == 2);
  CHECK(corpus.catalogues[0].file == "alpha/usr/share/locale/de/LC_MESSAGES/alpha.mo");
  CHECK(corpus.catalogues[0].entries == 42);
  CHECK(corpus.catalogues[0].pairs == 40);
  CHECK(corpus.catalogues[1].entries == 2);
  CHECK(corpus.catalogues[1].system_dependent == 1);
  CHECK(corpus.catalogues[1].pairs == 2);
  CHECK(corpus.counts.entries == 44);
  CHECK(corpus.counts.plural == 1);
  CHECK(corpus.counts.too_short == 1);
  CHECK(corpus.counts.kept == 42);
  const size_t n = corpus.split.train.size() + corpus.split.valid.size() + corpus.split.test.size();
  CHECK(n == 42);
  CHECK(corpus.split.valid.size() == 4);  // round(0.1 * 42), groups of one
  CHECK(corpus.split.test.size() == 4);

  const std::string manifest = d::write_gettext_corpus(corpus, options, out);
  CHECK_THAT(manifest, Catch::Contains("\"version\": \"1:2.0-1\"") && Catch::Contains("\"dropped_plural\": 1") &&
                           Catch::Contains("\"placeholder\": \"¤\"") && Catch::Contains("\"seed\": 3"));
  CHECK(attn::io::read_text_file(out / "manifest.json") == manifest);

  // Read back as parallel text: the pairs written are the expected ones.
  const d::ParallelSplits back = d::read_gettext_corpus(out);
  std::set<std::pair<std::string, std::string>> all = pair_set(back.train.pairs);
  for (const auto* split : {&back.valid.pairs, &back.test.pairs})
    for (const auto& p : pair_set(*split)) CHECK(all.insert(p).second);  // no pair in two splits
  std::set<std::pair<std::string, std::string>> expected;
  for (int i = 0; i < 40; ++i)
    expected.emplace("Message " + name(i) + " was sent", "Nachricht " + name(i) + " wurde gesendet");
  expected.emplace("Insert ¤ table here", "¤-Tabelle hier einfügen");
  expected.emplace("Read ¤ of ¤ bytes", "¤ von ¤ Bytes gelesen");
  CHECK(all == expected);
  CHECK(back.valid.size() == 4);
  // Each file's SHA-256 is in the manifest, and the files end with a newline.
  const std::string train_en = attn::io::read_text_file(out / "train.en");
  CHECK(train_en.back() == '\n');
  CHECK_THAT(manifest, Catch::Contains(attn::io::sha256_hex(train_en)));

  // Verification: intact; other options or package versions, or an edited file, are not.
  std::string problem;
  const auto packages = d::list_packages(unpacked, {});
  CHECK(d::verify_gettext_corpus(out, &problem, &options, &packages));
  d::GettextCorpusOptions other = options;
  other.split.seed = 4;
  CHECK_FALSE(d::verify_gettext_corpus(out, &problem, &other, &packages));
  CHECK_THAT(problem, Catch::Contains("made with options"));
  auto newer = packages;
  newer[0].version = "1:2.0-2";
  CHECK_FALSE(d::verify_gettext_corpus(out, &problem, &options, &newer));
  CHECK_THAT(problem, Catch::Contains("other packages or versions"));
  attn::io::write_file_atomic(out / "test.de", "edited\n");
  CHECK_FALSE(d::verify_gettext_corpus(out, &problem, &options, &packages));
  CHECK_THAT(problem, Catch::Contains("test.de: SHA-256 differs from the manifest"));

  // Rewriting replaces the folder whole and leaves nothing beside it.
  d::write_gettext_corpus(corpus, options, out);
  CHECK(d::verify_gettext_corpus(out, &problem, &options, &packages));
  std::vector<std::string> beside;
  for (const auto& e : fs::directory_iterator(tmp.path())) beside.push_back(e.path().filename().string());
  std::sort(beside.begin(), beside.end());
  CHECK(beside == std::vector<std::string>{"corpus", "unpacked"});
}

TEST_CASE("gettext corpus: a damaged .mo or a missing package is a one-line error, nothing written",
          "[translation-data]") {
  attn_test::TempDir tmp("gettext_corpus_errors");
  write_packages(tmp);
  const fs::path unpacked = tmp / "unpacked", out = tmp / "corpus";
  const fs::path mo = unpacked / "beta/usr/lib/office/program/resource/de/LC_MESSAGES/beta.mo";
  const std::string good = attn::io::read_text_file(mo);
  attn::io::write_file_atomic(mo, good.substr(0, good.size() / 2));
  CHECK_THROWS_WITH(d::build_gettext_corpus(unpacked, {"alpha", "beta"}, {}),
                    Catch::StartsWith(mo.string() + ": truncated catalogue"));
  CHECK_THROWS_WITH(d::list_packages(unpacked, {"alpha", "delta"}),
                    Catch::Contains("delta: package folder not found; run scripts/prepare-data.sh translation"));
  tmp.write("unpacked/epsilon/DEBIAN/control", "Package: other\nVersion: 1\nArchitecture: all\n");
  CHECK_THROWS_WITH(d::read_package_control(unpacked / "epsilon"),
                    Catch::Contains("control: Package is 'other', expected 'epsilon' (the folder's name)"));
  tmp.write("unpacked/zeta/DEBIAN/control", "Package: zeta\nArchitecture: all\n");
  CHECK_THROWS_WITH(d::read_package_control(unpacked / "zeta"), Catch::Contains("expected a 'Version' field"));
  CHECK_THROWS_WITH(d::build_gettext_corpus(unpacked, {"gamma"}, {}), Catch::Contains("no German catalogue"));

  // The app: exit code 2, one line naming the catalogue, no output folder.
  const std::string app = "attn-prepare-translation --unpacked " + unpacked.string() + " --out " + out.string();
  const attn_test::Outcome damaged = attn_test::run_app(app + " --packages alpha,beta");
  CHECK(damaged.code == 2);
  CHECK_THAT(damaged.output, Catch::Contains("attn-prepare-translation: error: " + mo.string() + ": truncated"));
  CHECK(std::count(damaged.output.begin(), damaged.output.end(), '\n') <= 2);  // the error (and a BLAS note)
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(attn::io::temporary_sibling(out)));

  // Repaired: the app builds the corpus, and a second run finds it intact.
  attn::io::write_file_atomic(mo, good);
  const attn_test::Outcome built = attn_test::run_app(app + " --packages alpha,beta --seed 2");
  CHECK(built.code == 0);
  CHECK_THAT(built.output, Catch::Contains("alpha 1:2.0-1: 1 German catalogue(s)") &&
                               Catch::Contains("42 pairs in 42 near-duplicate groups"));
  const attn_test::Outcome again = attn_test::run_app(app + " --packages alpha,beta --seed 2");
  CHECK(again.code == 0);
  CHECK_THAT(again.output, Catch::Contains("already prepared from these packages and intact"));
  const attn_test::Outcome reseeded = attn_test::run_app(app + " --packages alpha,beta --seed 5");
  CHECK_THAT(reseeded.output, Catch::Contains("rebuilding: ") && Catch::Contains("made with options"));
}
