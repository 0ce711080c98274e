// Copy-task data (PAPER.md 2.1 and 5, experiment "copy"): each example is a
// sequence of `length` tokens from [0, vocab); the model must copy it.
// Without repeats and length == vocab every sequence is a permutation of the
// whole vocabulary: bag-of-words statistics then say nothing about which
// input token produces which output token (the paper's hard distribution).
//
// Layout (n = length, EOS/SOS ids given by CopyVocabulary):
//   source     = x_1 .. x_n EOS        (S = n + 1 positions)
//   target_in  = SOS x_1 .. x_n        (T = n + 1 steps, teacher forcing)
//   target_out = x_1 .. x_n EOS
// Target step t copies source position t, so the gold alignment is l = t.
//
// Batches are a pure function of (options, seed, index): a run can resume at
// any step and regenerate exactly the batches it would have seen.
#pragma once

#include <torch/arg.h>
#include <torch/types.h>

#include <cstdint>
#include <string>

namespace attn::data {

struct CopyTaskOptions {
  /// Number of distinct content tokens, ids [0, vocab).
  TORCH_ARG(int64_t, vocab) = 40;
  /// Tokens per sequence (before EOS).
  TORCH_ARG(int64_t, length) = 40;
  /// Allow a token to occur more than once in a sequence.
  TORCH_ARG(bool, repeats) = false;
};

/// Token ids of a copy model: content tokens [0, size), then EOS and SOS.
struct CopyVocabulary {
  int64_t size;  ///< content tokens; must be >= every task's `vocab`
  int64_t eos() const { return size; }
  int64_t sos() const { return size + 1; }
  int64_t total() const { return size + 2; }  ///< embedding/output size
};

struct CopyBatch {
  torch::Tensor source;          // (B, S) int64
  torch::Tensor source_mask;     // (B, S) bool, all true (fixed length)
  torch::Tensor target_in;       // (B, T) int64
  torch::Tensor target_out;      // (B, T) int64
  torch::Tensor gold_alignment;  // (B, T) int64: source position copied at step t
  int64_t size() const { return source.size(0); }
};

/// Throws attn::Error (naming `what`, e.g. "data") for impossible options,
/// e.g. length > vocab without repeats.
void validate(const CopyTaskOptions& options, const CopyVocabulary& vocabulary, const std::string& what);

/// Generates `batch_size` sequences deterministically from (seed, index).
/// `index` is the training step (or an evaluation stream id).
CopyBatch make_copy_batch(const CopyTaskOptions& options, const CopyVocabulary& vocabulary,
                          int64_t batch_size, uint64_t seed, uint64_t index,
                          const torch::Device& device = torch::kCPU);

/// A deterministic 64-bit generator (splitmix64-seeded xoshiro256**), so data
/// do not depend on the standard library's distribution implementations.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t next();
  /// Uniform integer in [0, n) without modulo bias.
  uint64_t below(uint64_t n);
  /// Mixes several values into one seed (for per-(seed, step) streams).
  static uint64_t mix(uint64_t a, uint64_t b, uint64_t c = 0);

 private:
  uint64_t s_[4];
};

}  // namespace attn::data
