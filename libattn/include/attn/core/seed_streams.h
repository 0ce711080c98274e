// Every named random stream of libattn, in one place, and the one helper
// that derives a stream's seed from a run's seed. Streams keep the data a run
// draws for different purposes (training batches, evaluation sets, splits,
// probes) apart, so that changing one never shifts another.
//
// Two generator families, each for its purpose: torch's generator
// (torch::manual_seed) initialises weights, and std::mt19937_64 with the
// portable draws of attn/core/seeded_random.h (or the copy task's
// counter-based data::Rng) draws data, identically with any standard library.
#pragma once

#include <cstdint>

namespace attn {

/// The tag of each stream (part of the recorded results: changing one
/// changes every run that draws from it).
enum class SeedStream : uint64_t {
  kCopyBatches = 0xC0B1,             ///< copy task: the batch of (seed, step)
  kCopyEvaluation = 0x5EEDE7A1,      ///< copy task: evaluation sets
  kClassificationBatches = 0xBA7C4,  ///< classification: the epoch-wise shuffles
  kTestCap = 0x7E57CA9,              ///< classification: the seeded subset of a capped test set
  kBagOfEmbeddings = 0xB0E5,         ///< the bag-of-embeddings probe's batch order
  kTranslationBatches = 0x7B47C4,    ///< translation: the epoch-wise shuffles
  kTranslationDropout = 0x7D209,     ///< translation: dropout masks of a step
  kTranslationSubset = 0x75B5E7,     ///< translation: the seeded subset of a capped training split
  kWordTranslator = 0x3027D,         ///< the word-translation probe's batch order
};

/// The seed of `stream` for a run seeded `seed`, at `index` (e.g. an epoch):
/// seed ^ tag ^ (index << 20).
inline uint64_t stream_seed(uint64_t seed, SeedStream stream, uint64_t index = 0) {
  return seed ^ static_cast<uint64_t>(stream) ^ (index << 20);
}

/// The evaluation index of the copy task's one fixed evaluation set (eval_set:
/// fixed), far from any training step.
inline constexpr uint64_t kFixedEvaluationIndex = 0xF1C5ED;

/// Spreads consecutive integers over 64 bits (Knuth's multiplicative hash
/// constant, 2^64 / golden ratio) before a stream tag is mixed in.
inline constexpr uint64_t kGoldenRatio64 = 0x9E3779B97F4A7C15ULL;

}  // namespace attn
