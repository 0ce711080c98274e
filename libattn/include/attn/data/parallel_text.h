// Readers of parallel text: the paper's translation corpora as researchers
// have them (PAPER.md 2.2; the layouts are the authors' code's, see
// ../shared/TRANSLATION-FACTS.md), plain parallel text for anything else, and
// the gettext-en-de corpus this project builds (attn/data/gettext_corpus.h).
// Each returns raw (source, target) strings per split; tokenisation is
// SentencePiece's (attn/data/sentencepiece_vocabulary.h).
//
//   Multi30k          <dir>/{train,val,test2016}.{de,en}   de -> en
//   IWSLT14 de-en     <dir>/{train,valid}.{de,en}          de -> en
//   News Commentary   <dir>/{train,val}.{src,trg}          src -> trg, each
//     v14 (authors')  file one JSON array of strings
//   gettext-en-de     <dir>/{train,valid,test}.{en,de}     en -> de
//   plain             any two files, one sentence a line
//
// Line files: '\n' ends a line, a final '\r' is dropped (CRLF files), and a
// final newline does not start another line. Pairs empty on both sides
// (IWSLT14's trailing empty line, blank lines) are dropped and counted; a pair
// empty on one side only is an error, as it means the files are misaligned.
// Errors are one line naming the file (and line or element) and what was
// expected: a missing file, invalid UTF-8, a line inside a sentence ('\n' in a
// JSON string), files of different lengths (naming both), malformed JSON, and
// an empty corpus.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace attn::data {

/// One sentence and its translation, as raw text.
struct SentencePair {
  std::string source;
  std::string target;
};

/// The pairs of one split and where they came from.
struct ParallelCorpus {
  std::string origin;               ///< "<source file> + <target file>", for messages
  std::vector<SentencePair> pairs;  ///< in file order
  int64_t dropped_empty = 0;        ///< pairs empty on both sides

  int64_t size() const { return static_cast<int64_t>(pairs.size()); }
  /// All source sentences then all target sentences (SentencePiece's joint input).
  std::vector<std::string> sentences() const;
};

/// A corpus's splits; `test` is empty (origin "") where the layout has none.
struct ParallelSplits {
  std::string source_language;  ///< e.g. "de"
  std::string target_language;  ///< e.g. "en"
  ParallelCorpus train, valid, test;
};

/// Plain parallel text: line i of `source_file` translates line i of `target_file`.
ParallelCorpus read_parallel_text(const std::filesystem::path& source_file, const std::filesystem::path& target_file);

/// The same from memory; `source_origin` and `target_origin` name the texts in errors.
ParallelCorpus parse_parallel_text(const std::string& source_text, const std::string& target_text,
                                   const std::string& source_origin, const std::string& target_origin);

/// The authors' News Commentary files: each a JSON array of strings.
ParallelCorpus read_json_parallel_text(const std::filesystem::path& source_file,
                                       const std::filesystem::path& target_file);

/// Multi30k: train, val (-> valid) and test2016 (-> test), German -> English.
ParallelSplits read_multi30k(const std::filesystem::path& dir);

/// IWSLT14 de-en: train and valid, German -> English.
ParallelSplits read_iwslt14(const std::filesystem::path& dir);

/// News Commentary v14 as the authors shipped it: train and val (-> valid),
/// src -> trg; the languages are recorded as "src" and "trg".
ParallelSplits read_news_commentary(const std::filesystem::path& dir);

/// The gettext-en-de corpus: train, valid and test, English -> German.
ParallelSplits read_gettext_corpus(const std::filesystem::path& dir);

}  // namespace attn::data
