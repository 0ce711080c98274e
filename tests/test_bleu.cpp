// BLEU against values computed with sacrebleu (default corpus BLEU) and the
// 13a tokenisation rules (../shared/TRANSLATION-FACTS.md).
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "attn/metrics/bleu.h"
#include "temp_dir.h"

using attn::metrics::corpus_counts;
using attn::metrics::tokenize_13a;

TEST_CASE("13a tokenisation splits as sacrebleu does", "[bleu]") {
  CHECK(tokenize_13a("Hello, world!") == "Hello , world !");
  CHECK(tokenize_13a("It costs $3.50.") == "It costs $ 3.50 .");
  CHECK(tokenize_13a("1,000-2,000 items") == "1,000 - 2,000 items");
  CHECK(tokenize_13a("Wait...") == "Wait . . .");
  CHECK(tokenize_13a("e.g. U.S.A. 3.5, 4,5 x-y 3-4") == "e . g . U . S . A . 3.5 , 4,5 x-y 3 - 4");
  CHECK(tokenize_13a("&quot;hi&quot; &amp; &lt;b&gt; <skipped> end") == "\" hi \" & < b > end");
  // Non-ASCII punctuation stays attached; ASCII symbols split off.
  CHECK(tokenize_13a("Größe: „Hallo“ »%s« – ok…") == "Größe : „Hallo“ » % s« – ok…");
  CHECK(tokenize_13a("don't stop-it\nnow") == "don't stop-it now");
  CHECK(tokenize_13a("a\u00a0b") == "a b");  // Python's split() also splits on a no-break space
}

TEST_CASE("corpus BLEU equals sacrebleu's values", "[bleu]") {
  CHECK(corpus_counts({"the cat sat on a mat"}, {"the cat sat on the mat."}).score() == Approx(45.480190).margin(1e-6));
  CHECK(corpus_counts({"an identical sentence ."}, {"an identical sentence ."}).score() == Approx(100.0).margin(1e-9));
  CHECK(
      corpus_counts({"Hello, world!", "It costs $3.50 (approx.)"}, {"Hello world!", "It costs about $3.50."}).score() ==
      Approx(15.106877).margin(1e-6));
  // Counts add up over segments; an empty hypothesis scores 0 (brevity penalty 0).
  const auto counts = corpus_counts({"the cat sat on a mat", ""}, {"the cat sat on the mat.", "x"});
  CHECK(counts.hypothesis_length == 6);
  CHECK(counts.reference_length == 8);
  CHECK(counts.correct[0] == 5);
  CHECK(counts.total[3] == 3);
  CHECK(corpus_counts({""}, {"x"}).score() == 0.0);
  CHECK_THROWS_WITH(corpus_counts({"a"}, {}), Catch::Contains("1 hypotheses but 0 references"));
}

TEST_CASE("attn-bleu prints BLEU for two files and refuses mismatched ones", "[bleu][apps]") {
  attn_test::TempDir tmp("bleu");
  const auto hyp = tmp.write("hyp.txt", "Hello, world!\nIt costs $3.50 (approx.)\n");
  const auto ref = tmp.write("ref.txt", "Hello world!\nIt costs about $3.50.\n");
  const auto short_ref = tmp.write("short.txt", "Hello world!\n");
  auto run = [](const std::string& args) {
    std::string out;
    FILE* pipe = ::popen((std::string(ATTN_BINARY_DIR) + "/bin/attn-bleu " + args + " 2>&1").c_str(), "r");
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
    const int status = ::pclose(pipe);
    return std::make_pair(WEXITSTATUS(status), out);
  };
  const auto [code, out] = run(hyp.string() + " " + ref.string());
  CHECK(code == 0);
  CHECK_THAT(out, Catch::StartsWith("BLEU = 15.106877\n"));
  const auto [bad_code, bad_out] = run(hyp.string() + " " + short_ref.string());
  CHECK(bad_code == 2);
  CHECK_THAT(bad_out, Catch::Contains("has 2 lines but") && Catch::Contains("has 1"));
}
