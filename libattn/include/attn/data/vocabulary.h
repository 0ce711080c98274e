// Token <-> id mapping for the attention classifier (PAPER.md section 2.3):
// specials <pad>=0 <bos>=1 <eos>=2 <unk>=3, then the training tokens seen more
// than twice, most frequent first (ties broken by the token string, so a
// vocabulary is a pure function of its training data). Saved as a text file,
// one token per line in id order, specials included; load() checks them.
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace attn::data {

/// How Vocabulary::build() chooses its tokens.
struct VocabularyOptions {
  /// Keep tokens seen at least this many times ("more than 2 times" = 3).
  TORCH_ARG(int64_t, min_count) = 3;
  /// Keep at most this many non-special tokens (the most frequent); 0 = all.
  TORCH_ARG(int64_t, max_tokens) = 0;
};

class Vocabulary {
 public:
  static constexpr int64_t kPad = 0;  ///< padding id (masked everywhere)
  static constexpr int64_t kBos = 1;  ///< start of every encoded sequence
  static constexpr int64_t kEos = 2;  ///< end of every encoded sequence
  static constexpr int64_t kUnk = 3;  ///< any token not in the vocabulary
  static constexpr int64_t kNumSpecials = 4;

  /// The special token strings, in id order.
  static const std::vector<std::string>& specials();

  /// Only the four specials.
  Vocabulary();

  /// Counts the tokens of `token_lists` (the training split only) and keeps
  /// those with count >= options.min_count, sorted by count (descending),
  /// then by token string. Throws attn::Error for min_count < 1 or max_tokens < 0.
  static Vocabulary build(const std::vector<std::vector<std::string>>& token_lists,
                          const VocabularyOptions& options = {});

  /// A vocabulary with exactly these tokens after the specials (in order).
  /// Throws attn::Error naming `origin` for a duplicate, empty or special token.
  static Vocabulary from_tokens(const std::vector<std::string>& tokens,
                                const std::string& origin = "<tokens>");

  /// Number of ids, specials included.
  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  /// The id of `token`, or kUnk when it is not in the vocabulary.
  int64_t id(const std::string& token) const;
  bool contains(const std::string& token) const { return ids_.count(token) > 0; }
  /// The token of `id`; throws attn::Error when id is out of range.
  const std::string& token(int64_t id) const;
  /// All tokens in id order (specials first).
  const std::vector<std::string>& tokens() const { return tokens_; }

  /// `<bos> ids(tokens) <eos>`; unknown tokens become kUnk.
  std::vector<int64_t> encode(const std::vector<std::string>& tokens) const;
  /// Tokens of `ids`, skipping <pad>, <bos> and <eos>.
  std::vector<std::string> decode(const std::vector<int64_t>& ids) const;

  /// Writes one token per line in id order, atomically (io::write_file_atomic).
  void save(const std::filesystem::path& path) const;
  /// Reads a file written by save(). Throws attn::Error "<file>:<line>: ..."
  /// for a missing file, wrong specials, an empty or duplicate token.
  static Vocabulary load(const std::filesystem::path& path);

  bool operator==(const Vocabulary& other) const { return tokens_ == other.tokens_; }

 private:
  void add(const std::string& token, const std::string& origin, int64_t line);

  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int64_t> ids_;
};

}  // namespace attn::data
