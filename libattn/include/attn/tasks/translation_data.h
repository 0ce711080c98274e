// The translation experiment's data (PAPER.md 2.2): the corpus the config
// names (attn/data/parallel_text.h), its joint SentencePiece model
// (attn/data/sentencepiece_vocabulary.h) and every pair encoded as
// `<s> pieces </s>` on both sides (attn/data/translation_batch.h).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "attn/data/parallel_text.h"
#include "attn/data/sentencepiece_vocabulary.h"
#include "attn/data/translation_batch.h"
#include "attn/tasks/translation_config.h"

namespace attn::tasks {

struct TranslationData {
  std::shared_ptr<const data::SentencePieceVocabulary> vocabulary;
  std::string source_language, target_language;
  std::vector<data::EncodedPair> train, valid;
  std::vector<data::SentencePair> valid_text;  ///< the validation pairs as text (BLEU references, HTML)

  int64_t vocabulary_size() const { return vocabulary->size(); }
  /// "gettext en->de: 33,746 train / 1,875 valid pairs, 8000 pieces; mean 14.0 / 15.8 ids".
  std::string describe() const;
};

/// The corpus's splits as the config names them, train capped at
/// data.max_train (a seeded subset, file order kept) and valid at
/// data.max_valid (its first pairs). Errors name the file.
data::ParallelSplits read_translation_corpus(const TranslationConfig& config);

/// Trains the joint SentencePiece model on both sides of the (capped)
/// training split, or loads it from `cache_dir` (empty: no cache).
data::CachedSentencePiece translation_vocabulary(const TranslationConfig& config,
                                                 const data::ParallelSplits& corpus,
                                                 const std::filesystem::path& cache_dir);

/// Encodes `corpus` with `vocabulary`.
TranslationData encode_translation_data(const data::ParallelSplits& corpus,
                                        const data::SentencePieceVocabulary& vocabulary);

}  // namespace attn::tasks
