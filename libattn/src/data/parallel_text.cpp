// Parallel text readers (see attn/data/parallel_text.h).
#include "attn/data/parallel_text.h"

#include <fmt/format.h>

#include "attn/core/error.h"
#include "attn/io/files.h"
#include "data/utf8.h"
#include "io/json.h"

namespace attn::data {

namespace fs = std::filesystem;

namespace {

/// The lines of `text`; errors name "<origin>:<line>".
std::vector<std::string> split_lines(const std::string& text, const std::string& origin) {
  std::vector<std::string> lines;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t bad = utf8::first_invalid(line);
    check(bad == std::string::npos, "{}:{}: expected UTF-8 text, found byte {:#04x} at column {}", origin,
          lines.size() + 1, static_cast<unsigned char>(line[bad == std::string::npos ? 0 : bad]), bad + 1);
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

/// Pairs up two equally long lists; `describe(i, side)` names element i.
template <typename Describe>
ParallelCorpus pair_up(std::vector<std::string> sources, std::vector<std::string> targets,
                       const std::string& source_origin, const std::string& target_origin, const char* unit,
                       Describe describe) {
  check(sources.size() == targets.size(),
        "{} has {} {} but {} has {}; expected the same number (sentence i of one translates sentence i of the other)",
        source_origin, sources.size(), unit, target_origin, targets.size());
  ParallelCorpus corpus;
  corpus.origin = source_origin + " + " + target_origin;
  for (size_t i = 0; i < sources.size(); ++i) {
    const bool no_source = sources[i].find_first_not_of(" \t") == std::string::npos;
    const bool no_target = targets[i].find_first_not_of(" \t") == std::string::npos;
    if (no_source && no_target) {
      ++corpus.dropped_empty;
      continue;
    }
    check(!no_source && !no_target, "{} is empty but {} is not; expected a sentence on both sides (misaligned files?)",
          describe(i, no_source), describe(i, !no_source));
    corpus.pairs.push_back({std::move(sources[i]), std::move(targets[i])});
  }
  check(!corpus.pairs.empty(), "{}: no sentence pairs; expected at least one", corpus.origin);
  return corpus;
}

std::vector<std::string> json_strings(const fs::path& file) {
  const json::Value root = json::read_file(file);
  check(root.is_array(), "{}: expected a JSON array of strings, found a JSON {}", file.string(), root.type_name());
  std::vector<std::string> strings;
  strings.reserve(root.size());
  for (size_t i = 0; i < root.size(); ++i) {
    check(root[i].is_string(), "{}: [{}]: expected a string, found a JSON {}", file.string(), i, root[i].type_name());
    std::string s = root[i].get<std::string>();
    check(s.find('\n') == std::string::npos, "{}: [{}]: expected one sentence, found a line break in it", file.string(),
          i);
    strings.push_back(std::move(s));
  }
  return strings;
}

ParallelCorpus read_split(const fs::path& dir, const std::string& split, const std::string& source,
                          const std::string& target) {
  return read_parallel_text(dir / (split + "." + source), dir / (split + "." + target));
}

void check_folder(const fs::path& dir, const char* corpus) {
  check(fs::is_directory(dir), "{}: {} folder not found", dir.string(), corpus);
}

}  // namespace

std::vector<std::string> ParallelCorpus::sentences() const {
  std::vector<std::string> all;
  all.reserve(2 * pairs.size());
  for (const SentencePair& p : pairs) all.push_back(p.source);
  for (const SentencePair& p : pairs) all.push_back(p.target);
  return all;
}

ParallelCorpus parse_parallel_text(const std::string& source_text, const std::string& target_text,
                                   const std::string& source_origin, const std::string& target_origin) {
  return pair_up(split_lines(source_text, source_origin), split_lines(target_text, target_origin), source_origin,
                 target_origin, "lines", [&](size_t i, bool source) {
                   return fmt::format("{}:{}", source ? source_origin : target_origin, i + 1);
                 });
}

ParallelCorpus read_parallel_text(const fs::path& source_file, const fs::path& target_file) {
  for (const fs::path& file : {source_file, target_file})
    check(fs::is_regular_file(file), "{}: not found (expected one sentence a line)", file.string());
  return parse_parallel_text(io::read_text_file(source_file), io::read_text_file(target_file), source_file.string(),
                             target_file.string());
}

ParallelCorpus read_json_parallel_text(const fs::path& source_file, const fs::path& target_file) {
  return pair_up(
      json_strings(source_file), json_strings(target_file), source_file.string(), target_file.string(), "strings",
      [&](size_t i, bool source) { return fmt::format("{}: [{}]", (source ? source_file : target_file).string(), i); });
}

ParallelSplits read_multi30k(const fs::path& dir) {
  check_folder(dir, "Multi30k");
  return {"de", "en", read_split(dir, "train", "de", "en"), read_split(dir, "val", "de", "en"),
          read_split(dir, "test2016", "de", "en")};
}

ParallelSplits read_iwslt14(const fs::path& dir) {
  check_folder(dir, "IWSLT14");
  return {"de", "en", read_split(dir, "train", "de", "en"), read_split(dir, "valid", "de", "en"), {}};
}

ParallelSplits read_news_commentary(const fs::path& dir) {
  check_folder(dir, "News Commentary");
  return {"src",
          "trg",
          read_json_parallel_text(dir / "train.src", dir / "train.trg"),
          read_json_parallel_text(dir / "val.src", dir / "val.trg"),
          {}};
}

ParallelSplits read_gettext_corpus(const fs::path& dir) {
  check_folder(dir, "gettext-en-de (scripts/prepare-data.sh translation makes it)");
  return {"en", "de", read_split(dir, "train", "en", "de"), read_split(dir, "valid", "en", "de"),
          read_split(dir, "test", "en", "de")};
}

}  // namespace attn::data
