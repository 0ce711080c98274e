// The message filter and split (see attn/data/message_pairs.h for the rules).
#include "attn/data/message_pairs.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <unordered_map>

#include "attn/core/error.h"
#include "attn/core/seeded_random.h"
#include "data/utf8.h"

namespace attn::data {

namespace {

bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool ascii_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool ascii_lower(char c) { return c >= 'a' && c <= 'z'; }
bool ascii_digit(char c) { return c >= '0' && c <= '9'; }

/// Length of the placeholder starting at text[i] (a '%' or '$') and what it
/// becomes; 0 when there is none.
struct Match {
  size_t length = 0;
  std::string_view replacement;
};

size_t digits_from(std::string_view text, size_t j) {
  while (j < text.size() && ascii_digit(text[j])) ++j;
  return j;
}

Match match_printf(std::string_view text, size_t i) {
  const size_t n = text.size();
  size_t j = i + 1;
  bool decorated = false;  // anything between '%' and the conversion
  // argument number "N$"
  if (size_t d = digits_from(text, j); d > j && d < n && text[d] == '$') j = d + 1, decorated = true;
  while (j < n && std::string_view("-+#0'q").find(text[j]) != std::string_view::npos) ++j, decorated = true;
  if (j < n && text[j] == '*') {
    ++j, decorated = true;
    if (size_t d = digits_from(text, j); d > j && d < n && text[d] == '$') j = d + 1;
  } else if (size_t d = digits_from(text, j); d > j) {
    j = d, decorated = true;
  }
  if (j < n && text[j] == '.') {
    ++j, decorated = true;
    if (j < n && text[j] == '*') {
      ++j;
      if (size_t d = digits_from(text, j); d > j && d < n && text[d] == '$') j = d + 1;
    } else {
      j = digits_from(text, j);
    }
  }
  if (j >= n || !ascii_letter(text[j])) return {};
  // A length modifier counts only when a conversion letter follows it;
  // otherwise its first letter is the conversion ("%h " is 'h').
  for (const std::string_view length : {"hh", "ll", "I64", "I32", "h", "l", "L", "q", "j", "z", "Z", "t", "w"}) {
    const size_t end = j + length.size();
    if (text.substr(j, length.size()) == length && end < n && ascii_letter(text[end]))
      return {end + 1 - i, kPlaceholder};
  }
  const bool is_text = !decorated && ascii_upper(text[j]) && j + 1 < n && ascii_letter(text[j + 1]);
  if (is_text) return {};
  return {j + 1 - i, kPlaceholder};
}

Match match_placeholder(std::string_view text, size_t i) {
  const size_t n = text.size();
  if (i + 1 >= n) return {};
  const char next = text[i + 1];
  if (text[i] == '$') {  // $(ARG1)
    if (next != '(' || i + 2 >= n || !ascii_upper(text[i + 2])) return {};
    size_t j = i + 3;
    while (j < n && (ascii_upper(text[j]) || ascii_digit(text[j]) || text[j] == '_')) ++j;
    return j < n && text[j] == ')' ? Match{j + 1 - i, kPlaceholder} : Match{};
  }
  if (next == '%') return {2, "%"};
  if (next == '<' || next == '>') return {2, "'"};
  if (next == '(') {  // %(name)s
    size_t j = i + 2;
    if (j >= n || !(ascii_letter(text[j]) || text[j] == '_')) return {};
    while (j < n && (ascii_letter(text[j]) || ascii_digit(text[j]) || text[j] == '_')) ++j;
    if (j >= n || text[j] != ')') return {};
    ++j;
    while (j < n && std::string_view("-+ #0").find(text[j]) != std::string_view::npos) ++j;
    j = digits_from(text, j);
    if (j < n && text[j] == '.') j = digits_from(text, j + 1);
    return j < n && std::string_view("diouxXeEfFgGcrsa").find(text[j]) != std::string_view::npos
               ? Match{j + 1 - i, kPlaceholder}
               : Match{};
  }
  if (ascii_upper(next)) {  // %NAME, %NAME%
    size_t j = i + 2;
    while (j < n && (ascii_upper(text[j]) || ascii_digit(text[j]) || text[j] == '_')) ++j;
    if (j >= i + 3 && !(j < n && ascii_lower(text[j]))) {
      if (j < n && text[j] == '%') ++j;
      return {j - i, kPlaceholder};
    }
  }
  if (ascii_digit(next)) {  // %1, unless printf's "%1$s", "%12u", "%2.3f"
    const size_t j = digits_from(text, i + 1);
    const bool precision = j + 1 < n && text[j] == '.' && (ascii_digit(text[j + 1]) || text[j + 1] == '*');
    if (j >= n || !(text[j] == '$' || precision || ascii_letter(text[j]))) return {j - i, kPlaceholder};
  }
  return match_printf(text, i);
}

/// Position of the only `marker` in `text` when it marks an accelerator on
/// its own side (followed by a letter or digit, not an entity); npos otherwise.
size_t lone_marker(std::string_view text, char marker) {
  const size_t at = text.find(marker);
  if (at == std::string_view::npos || text.find(marker, at + 1) != std::string_view::npos)
    return std::string_view::npos;
  if (at + 1 >= text.size()) return std::string_view::npos;
  const utf8::CodePoint next = utf8::decode(text, at + 1);
  if (!(utf8::is_letter(next.value) || (next.value < 0x80 && ascii_digit(static_cast<char>(next.value)))))
    return std::string_view::npos;
  if (marker == '&') {  // &amp; &lt; ...
    size_t j = at + 1;
    while (j < text.size() && ascii_letter(text[j])) ++j;
    if (j < text.size() && text[j] == ';') return std::string_view::npos;
  }
  return at;
}

bool word_character(std::string_view text, size_t i, size_t* length) {
  const utf8::CodePoint c = utf8::decode(text, i);
  *length = c.length;
  return utf8::is_letter(c.value) || (c.value < 0x80 && ascii_digit(static_cast<char>(c.value)));
}

/// The word around the marker at `at`: letters and digits on both sides.
std::string_view word_around(std::string_view text, size_t at) {
  size_t begin = at;
  while (begin > 0) {  // step back over one code point
    size_t start = begin - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    size_t length = 0;
    if (!word_character(text, start, &length)) break;
    begin = start;
  }
  size_t end = at + 1, length = 0;
  while (end < text.size() && word_character(text, end, &length)) end += length;
  return text.substr(begin, end - begin);
}

}  // namespace

std::string normalise_placeholders(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '%' || text[i] == '$') {
      const Match m = match_placeholder(text, i);
      if (m.length > 0) {
        out += m.replacement;
        i += m.length;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

void strip_accelerators(std::string& source, std::string& target) {
  for (const char marker : {'_', '&', '~'}) {
    const size_t in_source = lone_marker(source, marker), in_target = lone_marker(target, marker);
    const bool strip_source =
        in_source != std::string::npos && target.find(word_around(source, in_source)) == std::string::npos;
    const bool strip_target =
        in_target != std::string::npos && source.find(word_around(target, in_target)) == std::string::npos;
    if (strip_source) source.erase(in_source, 1);
    if (strip_target) target.erase(in_target, 1);
  }
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (size_t i = 0; i < text.size();) {
    const utf8::CodePoint c = utf8::decode(text, i);
    if (c.value != 0xFFFFFFFFu && utf8::is_space(c.value)) {
      pending_space = !out.empty();
    } else {
      if (pending_space) out += ' ';
      pending_space = false;
      out.append(text.substr(i, c.length));
    }
    i += c.length;
  }
  return out;
}

void normalise_message(std::string& source, std::string& target) {
  source = normalise_placeholders(source);
  target = normalise_placeholders(target);
  strip_accelerators(source, target);
  source = collapse_whitespace(source);
  target = collapse_whitespace(target);
}

bool has_letter(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const utf8::CodePoint c = utf8::decode(text, i);
    if (utf8::is_letter(c.value)) return true;
    i += c.length;
  }
  return false;
}

bool has_abbreviation_code(std::string_view text) {
  // Bytes of multi-byte characters count as joined, the cautious answer.
  const auto joined = [&](size_t k) {
    const char c = text[k];
    return ascii_letter(c) || ascii_digit(c) || c == '@' || static_cast<unsigned char>(c) >= 0x80;
  };
  for (size_t i = text.find('@'); i != std::string_view::npos; i = text.find('@', i + 1))
    if (i + 1 < text.size() && ascii_letter(text[i + 1]) && (i == 0 || !joined(i - 1)) &&
        (i + 2 >= text.size() || !joined(i + 2)))
      return true;
  return false;
}

int64_t count_words(std::string_view text) {
  int64_t words = 0;
  bool in_word = false;
  for (const char c : text) {
    if (c == ' ')
      in_word = false;
    else if (!in_word)
      in_word = true, ++words;
  }
  return words;
}

MessageFilterResult filter_messages(const std::vector<NamedCatalogue>& catalogues,
                                    const MessageFilterOptions& options) {
  check(options.min_source_words >= 1 && options.min_source_words <= options.max_source_words,
        "message filter: expected 1 <= min_source_words <= max_source_words, got {} and {}", options.min_source_words,
        options.max_source_words);
  MessageFilterResult result;
  MessageFilterCounts& counts = result.counts;
  std::vector<MessagePair> candidates;  // after stage 8
  for (size_t k = 0; k < catalogues.size(); ++k) {
    for (const GettextEntry& entry : catalogues[k].catalogue.entries) {
      ++counts.entries;
      if (!entry.context.empty()) ++counts.with_context;
      if (entry.plural()) {
        ++counts.plural;
        continue;
      }
      if (entry.translations.empty() || entry.translations[0].empty()) {
        ++counts.untranslated;
        continue;
      }
      std::string source = entry.original, target = entry.translations[0];
      if (!utf8::valid(source) || !utf8::valid(target)) {
        ++counts.invalid_utf8;
        continue;
      }
      normalise_message(source, target);
      if (!has_letter(source) || !has_letter(target)) {
        ++counts.format_only;
        continue;
      }
      if (has_abbreviation_code(source) && !has_abbreviation_code(target)) {
        ++counts.abbreviated;
        continue;
      }
      if (source == target) {
        ++counts.identical;
        continue;
      }
      const int64_t words = count_words(source);
      if (words < options.min_source_words) {
        ++counts.too_short;
        continue;
      }
      if (words > options.max_source_words) {
        ++counts.too_long;
        continue;
      }
      candidates.push_back({std::move(source), std::move(target), static_cast<int64_t>(k)});
    }
  }

  // Stages 9 and 10. Per source: its distinct targets in first-seen order,
  // each with how often it was seen and where first.
  struct Target {
    std::string text;
    int64_t count;
    int64_t catalogue;
  };
  std::unordered_map<std::string, size_t> source_index;
  std::vector<std::pair<std::string, std::vector<Target>>> sources;
  for (MessagePair& pair : candidates) {
    auto [it, inserted] = source_index.try_emplace(pair.source, sources.size());
    if (inserted) sources.push_back({pair.source, {}});
    std::vector<Target>& targets = sources[it->second].second;
    auto same = std::find_if(targets.begin(), targets.end(), [&](const Target& t) { return t.text == pair.target; });
    if (same != targets.end()) {
      ++same->count;
      ++counts.duplicates;
    } else {
      targets.push_back({std::move(pair.target), 1, pair.catalogue});
    }
  }
  result.kept_per_catalogue.assign(catalogues.size(), 0);
  for (auto& [source, targets] : sources) {
    const Target* best = &targets[0];
    for (const Target& t : targets)
      if (t.count > best->count) best = &t;  // strict: ties keep the first seen
    counts.alternative_targets += static_cast<int64_t>(targets.size()) - 1;
    ++result.kept_per_catalogue[static_cast<size_t>(best->catalogue)];
    result.pairs.push_back({source, best->text, best->catalogue});
  }
  counts.kept = static_cast<int64_t>(result.pairs.size());
  return result;
}

std::string near_duplicate_key(std::string_view source) {
  std::string key;
  bool pending_space = false;
  for (size_t i = 0; i < source.size();) {
    const utf8::CodePoint c = utf8::decode(source, i);
    if (utf8::is_letter(c.value)) {
      if (pending_space) key += ' ';
      pending_space = false;
      if (c.value < 0x80)
        key += static_cast<char>(c.value | 0x20);
      else
        key.append(source.substr(i, c.length));
    } else {
      pending_space = !key.empty();
    }
    i += c.length;
  }
  return key;
}

MessageSplit split_message_pairs(const std::vector<MessagePair>& pairs, const MessageSplitOptions& options) {
  const auto fraction_ok = [](double f) { return f >= 0.0 && f < 1.0; };
  check(fraction_ok(options.valid_fraction), "--valid-fraction: expected a value in [0, 1), got {}",
        options.valid_fraction);
  check(fraction_ok(options.test_fraction), "--test-fraction: expected a value in [0, 1), got {}",
        options.test_fraction);
  check(options.valid_fraction + options.test_fraction < 1.0,
        "--valid-fraction + --test-fraction: expected a sum below 1, got {}",
        options.valid_fraction + options.test_fraction);

  // std::map: groups in key order, whatever order the pairs came in.
  std::map<std::string, std::vector<const MessagePair*>> by_key;
  for (const MessagePair& pair : pairs) by_key[near_duplicate_key(pair.source)].push_back(&pair);
  std::vector<std::vector<const MessagePair*>> groups;
  groups.reserve(by_key.size());
  for (auto& [key, members] : by_key) {
    std::sort(members.begin(), members.end(), [](const MessagePair* a, const MessagePair* b) {
      return a->source != b->source ? a->source < b->source : a->target < b->target;
    });
    groups.push_back(std::move(members));
  }

  MessageSplit split;
  split.groups = static_cast<int64_t>(groups.size());
  std::mt19937_64 rng(options.seed);
  shuffle_in_place(groups, rng);
  const double n = static_cast<double>(pairs.size());
  const auto n_valid = static_cast<size_t>(std::llround(options.valid_fraction * n));
  const auto n_test = static_cast<size_t>(std::llround(options.test_fraction * n));
  for (const auto& group : groups) {
    std::vector<MessagePair>& side = split.valid.size() < n_valid ? split.valid
                                     : split.test.size() < n_test ? split.test
                                                                  : split.train;
    for (const MessagePair* pair : group) side.push_back(*pair);
  }
  shuffle_in_place(split.train, rng);
  shuffle_in_place(split.valid, rng);
  shuffle_in_place(split.test, rng);
  return split;
}

}  // namespace attn::data
