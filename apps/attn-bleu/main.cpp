// attn-bleu: corpus BLEU of a hypothesis file against a reference file, one
// segment per line, equal to sacrebleu's default (13a tokenisation, exp
// smoothing, case-sensitive; attn/metrics/bleu.h), as researchers use sacrebleu.
//
//   attn-bleu hypotheses.txt references.txt
//   BLEU = 45.480190
#include <fmt/format.h>

#include <fstream>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/metrics/bleu.h"

namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  attn::check(in.good(), "{}: cannot read (expected a text file, one segment per line)", path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

int app_main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
    fmt::print(
        "usage: attn-bleu HYPOTHESES REFERENCES\n"
        "Corpus BLEU as sacrebleu computes it by default (13a, exp smoothing, case-sensitive).\n");
    return 0;
  }
  attn::check(args.size() == 2, "expected two files, HYPOTHESES and REFERENCES (see --help), got {} argument(s)",
              args.size());
  const auto hypotheses = read_lines(args[0]), references = read_lines(args[1]);
  attn::check(hypotheses.size() == references.size(), "{} has {} lines but {} has {}; expected one line each", args[0],
              hypotheses.size(), args[1], references.size());
  const auto counts = attn::metrics::corpus_counts(hypotheses, references);
  const auto p = counts.precisions();
  fmt::print("BLEU = {:.6f}\n", counts.score());
  fmt::print("precisions = {:.6f}/{:.6f}/{:.6f}/{:.6f} BP = {:.6f} ratio = {:.6f} hyp_len = {} ref_len = {}\n", p[0],
             p[1], p[2], p[3], counts.brevity_penalty(),
             counts.reference_length > 0
                 ? static_cast<double>(counts.hypothesis_length) / static_cast<double>(counts.reference_length)
                 : 0.0,
             counts.hypothesis_length, counts.reference_length);
  fmt::print("counts = {} {} {} {} / totals = {} {} {} {}\n", counts.correct[0], counts.correct[1], counts.correct[2],
             counts.correct[3], counts.total[0], counts.total[1], counts.total[2], counts.total[3]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return attn::run_app("attn-bleu", [&] { return app_main(argc, argv); });
}
