// The translation experiment's tokeniser (PAPER.md 2.2): one joint
// SentencePiece unigram model over the source and target training text, as
// the authors used, through Debian's libsentencepiece 0.1.97 C++ API.
//
// Ids: pad 0, bos 1 ("<s>"), eos 2 ("</s>"), unk 3 ("<unk>"), then the
// pieces. Training always runs on one thread: with two, SentencePiece 0.1.97
// changed about 10 of 8000 pieces between two runs on the same text; with one
// the model is a pure function of its input. Training is cached: the model is
// saved as "<cache_dir>/sentencepiece-<key>.model", key = SHA-256 of the
// trainer options and every input sentence, and loaded instead of retrained
// when present (the file is written atomically, so a present file is whole).
// The model records no path: the temporary training file's name is removed
// from its TrainerSpec, so two trainings on the same text give the same bytes.
//
// SentencePiece's types stay out of this header (the model is behind a
// pointer), and the library is not linked but loaded on first use, in a scope
// of its own (libattn/src/data/sentencepiece_library.h says why: linked beside
// LibTorch, its bundled protobuf crashes the process before main).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace attn::data {

struct SentencePieceOptions {
  int64_t vocab_size = 8000;           ///< pieces, control symbols included
  double character_coverage = 0.9995;  ///< SentencePiece's default for the unigram model
  /// Sentences longer than this many bytes are left out of training
  /// (SentencePiece's --max_sentence_length; 4192 is its default).
  int64_t max_sentence_length = 4192;
};

/// The trainer's command-line options for `options` (the cache key includes them).
std::string sentencepiece_trainer_args(const SentencePieceOptions& options);

/// A trained SentencePiece model. Copies share one immutable model; encode
/// and decode may be called from several threads at once.
class SentencePieceVocabulary {
 public:
  static constexpr int64_t kPad = 0;
  static constexpr int64_t kBos = 1;
  static constexpr int64_t kEos = 2;
  static constexpr int64_t kUnk = 3;

  /// Trains on `sentences` (one thread; SentencePiece reads them from a
  /// temporary file, removed after). Throws attn::Error with
  /// SentencePiece's reason when training fails (e.g. a vocabulary larger
  /// than the text allows, no sentences, or a sentence holding a line break).
  static SentencePieceVocabulary train(const std::vector<std::string>& sentences,
                                       const SentencePieceOptions& options = {});

  /// Loads a model file written by save() or by spm_train.
  static SentencePieceVocabulary load(const std::filesystem::path& model_file);

  /// Loads a serialized model; `origin` names it in errors.
  static SentencePieceVocabulary from_serialized(std::string serialized, const std::string& origin);

  /// Writes the model file atomically.
  void save(const std::filesystem::path& model_file) const;

  /// Pieces of `text` as ids, without bos/eos.
  std::vector<int64_t> encode(std::string_view text) const;

  /// Text of `ids`; pad, bos and eos vanish, unk reads " ⁇ ". Throws
  /// attn::Error for an id outside [0, size()).
  std::string decode(const std::vector<int64_t>& ids) const;

  /// The piece strings of `ids` ("▁Datei", "<s>"), for display.
  std::vector<std::string> pieces(const std::vector<int64_t>& ids) const;

  /// The piece string of one id.
  std::string piece(int64_t id) const;

  /// Number of ids (= SentencePieceOptions::vocab_size of training).
  int64_t size() const;

  /// The serialized model (what save() writes).
  const std::string& serialized() const;

 private:
  struct Model;
  explicit SentencePieceVocabulary(std::shared_ptr<const Model> model);
  std::shared_ptr<const Model> model_;
};

/// `ids` with bos in front and eos behind: a sentence as the model reads it.
std::vector<int64_t> with_bos_eos(const std::vector<int64_t>& ids);

/// The cache key of training on `sentences` with `options` (64 hex digits).
std::string sentencepiece_cache_key(const std::vector<std::string>& sentences, const SentencePieceOptions& options);

/// A model from the cache or freshly trained.
struct CachedSentencePiece {
  SentencePieceVocabulary vocabulary;
  std::filesystem::path file;  ///< the cache file it was loaded from or saved to
  bool trained = false;        ///< true when it was trained now (a cache miss)
};

/// Loads "<cache_dir>/sentencepiece-<key>.model" when present, else trains
/// and saves it there (creating cache_dir).
CachedSentencePiece train_or_load(const std::vector<std::string>& sentences, const SentencePieceOptions& options,
                                  const std::filesystem::path& cache_dir);

}  // namespace attn::data
