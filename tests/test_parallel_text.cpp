// Parallel-text readers (attn/data/parallel_text.h) on files the test writes:
// each corpus layout read correctly, and each kind of bad input a one-line
// error naming the file(s) and what was expected.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/data/parallel_text.h"
#include "temp_dir.h"

namespace d = attn::data;

namespace {

std::vector<std::string> sources(const d::ParallelCorpus& c) {
  std::vector<std::string> s;
  for (const auto& p : c.pairs) s.push_back(p.source);
  return s;
}

std::vector<std::string> targets(const d::ParallelCorpus& c) {
  std::vector<std::string> s;
  for (const auto& p : c.pairs) s.push_back(p.target);
  return s;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("parallel text: Multi30k, IWSLT14, News Commentary and gettext layouts", "[translation-data]") {
  attn_test::TempDir tmp("parallel_text");
  // Multi30k: de -> en, three splits; CRLF lines read like LF ones.
  tmp.write("m30k/train.de", "Zwei Hunde spielen.\r\nEin Mann läuft.\r\n");
  tmp.write("m30k/train.en", "Two dogs play.\r\nA man runs.\r\n");
  tmp.write("m30k/val.de", "Eine Frau singt.\n");
  tmp.write("m30k/val.en", "A woman sings.\n");
  tmp.write("m30k/test2016.de", "Kinder lachen.");  // no final newline
  tmp.write("m30k/test2016.en", "Children laugh.");
  const d::ParallelSplits m = d::read_multi30k(tmp / "m30k");
  CHECK(m.source_language == "de");
  CHECK(m.target_language == "en");
  CHECK(sources(m.train) == Lines{"Zwei Hunde spielen.", "Ein Mann läuft."});
  CHECK(targets(m.train) == Lines{"Two dogs play.", "A man runs."});
  CHECK(sources(m.valid) == Lines{"Eine Frau singt."});
  CHECK(targets(m.test) == Lines{"Children laugh."});

  // IWSLT14: the trailing empty line is an empty pair, dropped and counted.
  tmp.write("iwslt/train.de", "Danke .\nJa .\n\n");
  tmp.write("iwslt/train.en", "Thank you .\nYes .\n\n");
  tmp.write("iwslt/valid.de", "Gut .\n");
  tmp.write("iwslt/valid.en", "Good .\n");
  const d::ParallelSplits iw = d::read_iwslt14(tmp / "iwslt");
  CHECK(iw.train.size() == 2);
  CHECK(iw.train.dropped_empty == 1);
  CHECK(targets(iw.train) == Lines{"Thank you .", "Yes ."});
  CHECK(iw.valid.size() == 1);
  CHECK(iw.test.size() == 0);
  CHECK(iw.test.origin.empty());

  // News Commentary as the authors shipped it: JSON arrays of strings.
  tmp.write("nc/train.src", R"(["Hello \"world\"", "Second one"])");
  tmp.write("nc/train.trg", R"(["Olá \"mundo\"", "Segundo"])");
  tmp.write("nc/val.src", R"(["Val"])");
  tmp.write("nc/val.trg", R"(["Val pt"])");
  const d::ParallelSplits nc = d::read_news_commentary(tmp / "nc");
  CHECK(nc.source_language == "src");
  CHECK(sources(nc.train) == Lines{"Hello \"world\"", "Second one"});
  CHECK(targets(nc.train) == Lines{"Olá \"mundo\"", "Segundo"});
  CHECK(targets(nc.valid) == Lines{"Val pt"});

  // The gettext corpus: en -> de; and sentences() lists sources then targets.
  for (const char* split : {"train", "valid", "test"}) {
    tmp.write(std::string("gt/") + split + ".en", std::string("Open the ") + split + " file\n");
    tmp.write(std::string("gt/") + split + ".de", std::string("Die Datei ") + split + " öffnen\n");
  }
  const d::ParallelSplits gt = d::read_gettext_corpus(tmp / "gt");
  CHECK(gt.source_language == "en");
  CHECK(gt.target_language == "de");
  CHECK(gt.test.pairs.at(0).target == "Die Datei test öffnen");
  CHECK(gt.train.sentences() == Lines{"Open the train file", "Die Datei train öffnen"});

  const d::ParallelCorpus plain = d::read_parallel_text(tmp / "m30k/val.en", tmp / "m30k/val.de");
  CHECK(plain.pairs.at(0).source == "A woman sings.");
  CHECK(plain.origin == (tmp / "m30k/val.en").string() + " + " + (tmp / "m30k/val.de").string());
}

TEST_CASE("parallel text: bad input is a one-line error naming the file and what was expected", "[translation-data]") {
  attn_test::TempDir tmp("parallel_text_errors");
  const auto a = tmp.write("a.de", "eins\nzwei\ndrei\n");
  const auto b = tmp.write("a.en", "one\ntwo\n");
  CHECK_THROWS_WITH(d::read_parallel_text(a, b), Catch::Contains(a.string() + " has 3 lines but " + b.string() +
                                                                 " has 2; expected the same number"));

  const auto empty_de = tmp.write("e.de", ""), empty_en = tmp.write("e.en", "\n\n");
  CHECK_THROWS_WITH(d::read_parallel_text(empty_de, tmp.write("e0.en", "")),
                    Catch::Contains("no sentence pairs; expected at least one"));
  CHECK_THROWS_WITH(d::read_parallel_text(tmp.write("e2.de", "\n\n"), empty_en),
                    Catch::Contains("no sentence pairs; expected at least one"));

  const auto half = tmp.write("h.de", "eins\n\n"), full = tmp.write("h.en", "one\ntwo\n");
  CHECK_THROWS_WITH(d::read_parallel_text(half, full),
                    Catch::Contains(half.string() + ":2 is empty but " + full.string() + ":2 is not"));

  const auto latin1 = tmp.write("l.de",
                                "gut\nGr\xF6\xDF"
                                "e\n"),
             ok = tmp.write("l.en", "good\nsize\n");
  CHECK_THROWS_WITH(d::read_parallel_text(latin1, ok),
                    Catch::Contains(latin1.string() + ":2: expected UTF-8 text, found byte 0xf6 at column 3"));

  CHECK_THROWS_WITH(d::read_parallel_text(tmp / "missing.de", ok), Catch::Contains("missing.de: not found"));
  CHECK_THROWS_WITH(d::read_multi30k(tmp / "nowhere"), Catch::Contains("nowhere: Multi30k folder not found"));

  // News Commentary JSON.
  const auto bad_json = tmp.write("nc/train.src", "[\"a\",\n ]");
  const auto trg = tmp.write("nc/train.trg", R"(["x", "y"])");
  CHECK_THROWS_WITH(d::read_json_parallel_text(bad_json, trg),
                    Catch::Contains(bad_json.string() + ":2: JSON syntax error"));
  const auto object = tmp.write("nc/o.src", R"({"a": 1})");
  CHECK_THROWS_WITH(d::read_json_parallel_text(object, trg),
                    Catch::Contains(object.string() + ": expected a JSON array of strings, found a JSON object"));
  const auto number = tmp.write("nc/n.src", R"(["a", 2])");
  CHECK_THROWS_WITH(d::read_json_parallel_text(number, trg),
                    Catch::Contains(number.string() + ": [1]: expected a string, found a JSON number"));
  const auto three = tmp.write("nc/3.src", R"(["a", "b", "c"])");
  CHECK_THROWS_WITH(d::read_json_parallel_text(three, trg),
                    Catch::Contains(three.string() + " has 3 strings but " + trg.string() + " has 2"));
  const auto broken = tmp.write("nc/b.src", R"(["a", "line\nbreak"])");
  CHECK_THROWS_WITH(d::read_json_parallel_text(broken, trg),
                    Catch::Contains(broken.string() + ": [1]: expected one sentence, found a line break"));
  const auto empty = tmp.write("nc/e.src", "[]"), empty_trg = tmp.write("nc/e.trg", "[]");
  CHECK_THROWS_WITH(d::read_json_parallel_text(empty, empty_trg), Catch::Contains("no sentence pairs"));
}
