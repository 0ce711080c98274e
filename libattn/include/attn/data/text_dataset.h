// Binary text classification data sets (PAPER.md section 2.3 and the
// "classify" experiment of section 5): the in-memory form (tokenized examples
// with a 0/1 label) and readers for the formats a user is likely to have:
//   - the aclImdb folder layout  <root>/<split>/{pos,neg}/*.txt
//   - delimited text, one example a line: "label<TAB>text" (or ',' etc.)
//   - the paper's preprocessed JSON: {"vocab": [words], "XY": [[[ids], label], ...]}
// Every reader throws attn::Error with one line naming the file (and line or
// entry) and what was expected: missing file, malformed line, a label that is
// not 0/1 (or one of the caller's two class names), or an empty data set.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "attn/data/tokenizer.h"

namespace attn::data {

/// One labelled example.
struct TextExample {
  std::vector<std::string> tokens;  ///< tokenized text, without <bos>/<eos>
  int label = 0;                    ///< 0 (negative / ham) or 1 (positive / spam)
};

/// A list of examples plus where they came from.
struct TextDataset {
  std::string origin;                ///< file or folder it was read from (for messages)
  std::vector<TextExample> examples;
  /// The file's own vocabulary, id order (JSON format only; empty otherwise).
  std::vector<std::string> vocab;

  int64_t size() const { return static_cast<int64_t>(examples.size()); }
  /// {number with label 0, number with label 1}.
  std::array<int64_t, 2> label_counts() const;
  /// The token lists, for Vocabulary::build().
  std::vector<std::vector<std::string>> token_lists() const;
};

/// Reads `<root>/<split>/neg/*.txt` (label 0) then `<root>/<split>/pos/*.txt`
/// (label 1), each folder in file-name order. "<br />" tags are spaces.
/// `split` is usually "train" or "test"; other folders (e.g. "unsup") are ignored.
TextDataset read_imdb_split(const std::filesystem::path& root, const std::string& split,
                            const TokenizerOptions& tokenizer = {});

/// Options for read_delimited().
struct DelimitedOptions {
  /// Separates the label from the text (the text is the rest of the line, so
  /// it may contain the separator; a text wrapped in double quotes is unquoted
  /// with "" read as ").
  char separator = '\t';
  /// The two class names for labels 0 and 1 (e.g. {"ham", "spam"}); empty
  /// means the labels are written "0" and "1".
  std::vector<std::string> class_names;
  /// Skip the first line (a column header).
  bool header = false;
  TokenizerOptions tokenizer;
};

/// Reads "label<sep>text" lines. Blank lines are skipped; a line without the
/// separator, with an unknown label or an empty text is an error naming
/// "<file>:<line>".
TextDataset read_delimited(const std::filesystem::path& path, const DelimitedOptions& options = {});

/// Parses delimited text already in memory; `origin` names it in errors.
TextDataset parse_delimited(const std::string& text, const std::string& origin,
                            const DelimitedOptions& options = {});

/// Reads the paper's preprocessed JSON: "vocab" is the list of words (index =
/// id) and "XY" a list of [ids, label] pairs. Example tokens are vocab[id];
/// <pad> ids are dropped, as are a leading <bos> and trailing <eos> when the
/// vocabulary has them (Vocabulary::encode adds its own). Parsed as strict
/// JSON in one pass without a document tree (a 29 MB file: see README,
/// Performance; `attn-bench --json-dataset`).
TextDataset read_json_dataset(const std::filesystem::path& path);

/// Parses that JSON from memory; `origin` names it in errors.
TextDataset parse_json_dataset(const std::string& text, const std::string& origin);

}  // namespace attn::data
