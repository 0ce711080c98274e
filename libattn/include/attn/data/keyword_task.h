// Synthetic keyword classification, the paper's warm-up for the classifier of
// PAPER.md section 2.3: a sequence of random tokens is positive iff it holds
// one of K keyword tokens. About half the examples get exactly one keyword at
// a uniformly random position, the rest none, so the gold "salient" position
// that attention should find is known for every example.
//
// Ids follow Vocabulary: specials 0..3, then V ordinary tokens 4 .. V+3, of
// which the first K (ids 4 .. K+3) are the keywords. Sequences are encoded as
// `<bos> t_1 .. t_n <eos>`; salient positions index that encoded sequence
// (so the keyword at t_i has position i, <bos> being position 0).
//
// Generation uses std::mt19937_64 and attn::uniform_int, so a seed gives the
// same data on every platform.
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "attn/data/text_batch.h"
#include "attn/data/vocabulary.h"

namespace attn::data {

struct KeywordTaskOptions {
  /// V: ordinary tokens (keywords included), ids 4 .. V+3.
  TORCH_ARG(int64_t, vocab_size) = 100;
  /// K: keywords, the ids 4 .. K+3. Must be < V.
  TORCH_ARG(int64_t, num_keywords) = 4;
  /// Shortest sequence, in tokens (without <bos>/<eos>).
  TORCH_ARG(int64_t, min_length) = 10;
  /// Longest sequence, in tokens (without <bos>/<eos>).
  TORCH_ARG(int64_t, max_length) = 30;
};

/// Generated examples with their gold salient positions.
struct KeywordData {
  std::vector<EncodedExample> examples;
  /// Per example: position of the keyword in examples[i].ids, -1 when none.
  std::vector<int64_t> salient;
};

/// Throws attn::Error naming the field for impossible options (V < 2, K not
/// in [1, V), min_length < 1, max_length < min_length).
void validate(const KeywordTaskOptions& options);

/// The keyword ids 4 .. K+3.
std::vector<int64_t> keyword_ids(const KeywordTaskOptions& options);

/// A Vocabulary whose ids match the task: tokens "kw0".."kw{K-1}" then
/// "w{K}".."w{V-1}", so decode() and saved vocabularies work as for text.
Vocabulary keyword_vocabulary(const KeywordTaskOptions& options);

/// `count` examples from `seed`. Each example: length uniform in [min, max];
/// a fair coin makes it positive (label 1, one keyword at a uniform position,
/// chosen uniformly among the K) or negative (label 0); the other tokens are
/// uniform over the V - K non-keywords.
KeywordData generate_keyword_data(int64_t count, const KeywordTaskOptions& options, uint64_t seed);

/// A batch (as make_batch) plus the salient positions in row order.
struct KeywordBatch {
  TextBatch batch;
  torch::Tensor salient;  ///< (B) int64: keyword position in the row, -1 when none
};

/// Pads data.examples[indices] like make_batch(). Throws attn::Error when
/// options.max_length would cut a keyword off (its label would then lie).
KeywordBatch make_keyword_batch(const KeywordData& data, const std::vector<int64_t>& indices,
                                const BatchOptions& options = {});

/// All examples in one batch.
KeywordBatch make_keyword_batch(const KeywordData& data, const BatchOptions& options = {});

}  // namespace attn::data
