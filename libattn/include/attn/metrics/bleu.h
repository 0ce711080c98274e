// Corpus BLEU exactly as sacrebleu computes it by default (PAPER.md 5, the
// translation experiment's decoding score): the 13a tokenisation, n-grams up
// to 4 clipped by one reference, "exp" smoothing, the brevity penalty,
// case-sensitive. The rules are written out in ../shared/TRANSLATION-FACTS.md;
// tests check the reference values computed with sacrebleu.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace attn::metrics {

/// sacrebleu's "13a" tokenisation of one segment: the tokens joined by single spaces.
std::string tokenize_13a(const std::string& segment);

/// The sufficient statistics of corpus BLEU; they add up over segments.
struct BleuCounts {
  std::array<int64_t, 4> correct{};  ///< clipped n-gram matches, n = 1..4
  std::array<int64_t, 4> total{};    ///< hypothesis n-grams, n = 1..4
  int64_t hypothesis_length = 0;     ///< tokens
  int64_t reference_length = 0;

  BleuCounts& operator+=(const BleuCounts& other);
  /// The n-gram precisions in percent (p_1..p_4, exp-smoothed as sacrebleu).
  std::array<double, 4> precisions() const;
  double brevity_penalty() const;
  /// BLEU on sacrebleu's 0-100 scale.
  double score() const;
};

/// The counts of one (hypothesis, reference) segment pair (both tokenised with 13a
/// after trailing whitespace is stripped).
BleuCounts segment_counts(const std::string& hypothesis, const std::string& reference);

/// Corpus BLEU of parallel lists; throws attn::Error when their sizes differ.
BleuCounts corpus_counts(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references);

}  // namespace attn::metrics
