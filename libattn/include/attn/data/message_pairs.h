// Software messages -> sentence pairs: the filter and split that turn the
// German gettext catalogues of Debian packages into the translation
// experiment's embedded English -> German corpus (PAPER.md 2.2 and 5,
// "translation"; issue 15). Catalogues are read by attn/data/gettext_catalogue.h;
// attn/data/gettext_corpus.h runs this over a folder of unpacked packages.
//
// The rules, pinned (every stage is counted in MessageFilterCounts, in this order):
//  1. plural entries are dropped: their msgstr[0..n) are forms for different
//     numbers, none of them a translation of msgid alone.
//  2. entries with an empty translation are dropped (untranslated).
//     Entries with a msgctxt are KEPT: the context disambiguates where a
//     string appears in a program; it is not part of the text, and its msgstr
//     is still a human translation of msgid.
//  3. pairs with invalid UTF-8 on either side are dropped (the reader
//     converts other charsets, but a catalogue can lie about its charset).
//  4. both sides are normalised (normalise_message):
//     a. placeholders become ONE token, kPlaceholder = "¤" (U+00A4, the
//        generic currency sign, absent from these catalogues). Not "%s": Debian's
//        SentencePiece 0.1.97 never joins '%' (Unicode script Common) with 's'
//        (Latin) into one piece, so "%s" would always cost two pieces; a single
//        character is always whole. Matched left to right at each '%' or '$',
//        first rule that fits:
//          %%                  -> "%" (an escaped percent sign is text)
//          %< and %>           -> "'" (GCC's quotes around code, "%<#pragma%>")
//          %(name)s            Python named
//          %NAME, %NAME%       named (LibreOffice: %PRODUCTNAME, %MOD1,
//                              %OBJECT_NAME%): '%' + an upper-case letter +
//                              at least one more of [A-Z0-9_], not followed by
//                              a lower-case letter. Before printf, or
//                              "%LANGUAGENAME" would become "¤ANGUAGENAME".
//          $(NAME)             LibreOffice arguments ($(ARG1), $(ERR))
//          %1, %12             positional (Qt/LibreOffice), not followed by
//                              '$', a letter or a precision (".5": printf)
//          printf, with glibc and GCC extensions:
//            % [N$] [flags -+#0'q]* [width N|*|*N$] [.precision] [length
//            hh h ll l L q j z Z t w I64 I32] conversion letter (any ASCII
//            letter: GCC, ld and coreutils define their own, %qD %E %L %m %P).
//            An upper-case conversion with nothing between it and the '%' and
//            a letter right after ("%Hd", "%Download") is left alone: it is
//            text. The space flag is not accepted: "50% slower" is text.
//     b. accelerator markers are stripped: '_' (GTK), '&' (Qt/KDE), '~'
//        (LibreOffice) before a letter or digit ("_File", "Ö_ffnen", "~Reset")
//        when it is the only one of its kind on that side, is not an HTML
//        entity ("&amp;"), and the word around it (letters, digits and the
//        marker) does not occur in the other side, so "AT&T" / "AT&T-Syntax"
//        and "file_name" on both sides stay.
//     c. whitespace (ASCII and other control characters, U+00A0, U+2000-U+200A,
//        U+202F, U+205F, U+3000) is collapsed to single spaces and trimmed:
//        messages are often wrapped help text.
//  5. format-only pairs are dropped: a side without a letter (after 4a, "¤: ¤"
//     or "(%d)" has none). Letters: ASCII, and code points of letter blocks
//     (U+00C0-U+1FFF except × ÷ and combining marks, kana, CJK, Hangul).
//  6. pairs whose source uses e2fsck's message abbreviations ("@i" for "inode",
//     "@E" for "entry '%Dn' in %p (%i)": a '@' and one letter standing alone)
//     while the target has none are dropped: the translator translated the
//     expanded message, so the two sides do not say the same thing.
//  7. identical pairs (source == target, exactly) are dropped: mostly
//     untranslated copies, option names and URLs.
//  8. pairs whose source has fewer than min_source_words or more than
//     max_source_words words (space-separated, "¤" counts) are dropped. The
//     target has no limit of its own.
//  9. exact duplicates of an earlier (source, target) pair are dropped.
// 10. one source with several targets keeps ONE pair: the target seen most
//     often at stage 9's input (ties: the first seen). So a source sentence
//     never appears in two splits, and source -> target is a function.
// Input order is catalogue order then file order; outputs keep first-seen order.
//
// The split (split_message_pairs) keeps near-duplicate messages together:
// pairs whose sources have the same near_duplicate_key ("Cannot open %s" and
// "cannot open %s: %s") form a group, and whole groups go to train, valid or
// test. The key ignores the catalogue: GNU packages share gnulib's messages,
// so a key per catalogue would leak the same message across splits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attn/data/gettext_catalogue.h"

namespace attn::data {

/// The one token every placeholder becomes (UTF-8 of U+00A4).
inline constexpr std::string_view kPlaceholder = "\xC2\xA4";

struct MessageFilterOptions {
  int64_t min_source_words = 3;   ///< fewer source words: dropped
  int64_t max_source_words = 50;  ///< more source words: dropped
};

/// How many entries each stage dropped, in the order the stages run.
struct MessageFilterCounts {
  int64_t entries = 0;              ///< entries read (headers excluded)
  int64_t with_context = 0;         ///< of those, with a msgctxt (kept; for information)
  int64_t plural = 0;               ///< stage 1
  int64_t untranslated = 0;         ///< stage 2
  int64_t invalid_utf8 = 0;         ///< stage 3
  int64_t format_only = 0;          ///< stage 5
  int64_t abbreviated = 0;          ///< stage 6
  int64_t identical = 0;            ///< stage 7
  int64_t too_short = 0;            ///< stage 8, below min_source_words
  int64_t too_long = 0;             ///< stage 8, above max_source_words
  int64_t duplicates = 0;           ///< stage 9
  int64_t alternative_targets = 0;  ///< stage 10
  int64_t kept = 0;                 ///< pairs out
};

/// One sentence pair of the corpus.
struct MessagePair {
  std::string source;     ///< English, normalised
  std::string target;     ///< German, normalised
  int64_t catalogue = 0;  ///< index of the catalogue it was first seen in
};

/// A catalogue with the name the manifest gives it ("coreutils/usr/share/...").
struct NamedCatalogue {
  std::string name;
  GettextCatalogue catalogue;
};

struct MessageFilterResult {
  std::vector<MessagePair> pairs;
  MessageFilterCounts counts;
  std::vector<int64_t> kept_per_catalogue;  ///< pairs kept, by MessagePair::catalogue
};

/// Stage 4a: every placeholder of `text` replaced by kPlaceholder.
std::string normalise_placeholders(std::string_view text);

/// Stage 4b on one pair: strips the accelerator markers of both sides.
void strip_accelerators(std::string& source, std::string& target);

/// Stage 4c: whitespace runs -> one space, trimmed.
std::string collapse_whitespace(std::string_view text);

/// Stage 4 on one pair (a, b, c in that order).
void normalise_message(std::string& source, std::string& target);

/// True when `text` holds a letter (stage 5: ASCII, or a code point of a letter
/// block).
bool has_letter(std::string_view text);

/// True when `text` holds an e2fsck abbreviation (stage 6): '@' and one ASCII
/// letter, neither joined to a letter, digit or '@' ("@i", "(@E)"; not
/// "user@host", "@throw" or "@GPGSM@").
bool has_abbreviation_code(std::string_view text);

/// Space-separated words of already collapsed text.
int64_t count_words(std::string_view text);

/// Runs stages 1-10 over the catalogues' entries in order.
MessageFilterResult filter_messages(const std::vector<NamedCatalogue>& catalogues,
                                    const MessageFilterOptions& options = {});

/// The group of near-duplicate messages a normalised source belongs to: its
/// runs of letters, ASCII lower-cased, joined by single spaces (placeholders,
/// digits, punctuation and spacing ignored): "Cannot open '¤': ¤ (2)" -> "cannot open".
std::string near_duplicate_key(std::string_view source);

struct MessageSplitOptions {
  double valid_fraction = 0.05;  ///< target share of pairs in valid
  double test_fraction = 0.05;   ///< target share of pairs in test
  uint64_t seed = 1;             ///< the split is a pure function of (pairs, options)
};

struct MessageSplit {
  std::vector<MessagePair> train, valid, test;
  int64_t groups = 0;  ///< near-duplicate groups
};

/// Groups pairs by near_duplicate_key, sorts the groups by key (so the input
/// order does not matter), shuffles them with `seed`, and deals whole groups
/// out: to valid while it holds fewer than round(valid_fraction n) pairs,
/// then to test likewise, the rest to train. Each split is then shuffled.
/// Sizes add up to n; valid and test overshoot their share by less than one
/// group. Throws attn::Error for fractions outside [0, 1) or summing to >= 1.
MessageSplit split_message_pairs(const std::vector<MessagePair>& pairs, const MessageSplitOptions& options);

}  // namespace attn::data
