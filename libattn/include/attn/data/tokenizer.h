// Word-level tokenizer for the text classification data (PAPER.md section 2.3):
// lowercases, splits on whitespace, and makes every punctuation mark its own
// token; words keep inner apostrophes ("don't") and numbers stay whole tokens
// ("3.5", "1,000", "2002"). Deterministic and locale-independent: ASCII and
// Latin-1 capitals (À..Þ) are lowercased, other letters are left as they are,
// and bytes >= 0x80 (UTF-8 letters) count as word characters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace attn::data {

/// How tokenize() treats its input.
struct TokenizerOptions {
  /// Lowercase ASCII and Latin-1 letters (the paper's vocabulary is case-folded).
  bool lowercase = true;
};

/// Splits `text` into tokens: runs of word characters (letters, digits, UTF-8
/// bytes; an apostrophe between two letters stays inside the word), numbers
/// with inner '.' or ',' between digits, and single punctuation characters.
/// Whitespace and control characters separate tokens and are dropped.
std::vector<std::string> tokenize(std::string_view text, const TokenizerOptions& options = {});

}  // namespace attn::data
