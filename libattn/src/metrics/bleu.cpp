// sacrebleu's default corpus BLEU (see attn/metrics/bleu.h).
#include "attn/metrics/bleu.h"

#include <cmath>
#include <map>

#include "attn/core/error.h"

namespace attn::metrics {

namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  std::string out;
  size_t start = 0;
  for (size_t at; (at = text.find(from, start)) != std::string::npos; start = at + from.size())
    out += text.substr(start, at - start) + to;
  text = out + text.substr(start);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Rule a's character class: [\{-\~\[-\` -\&\(-\+\:-\@\/].
bool split_off(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x7B && u <= 0x7E) || (u >= 0x5B && u <= 0x60) || (u >= 0x20 && u <= 0x26) || (u >= 0x28 && u <= 0x2B) ||
         (u >= 0x3A && u <= 0x40) || u == 0x2F;
}

// Python's re.sub of a two-character pattern (first, second) -> repl, scanning
// left to right without overlaps. Multi-byte UTF-8 characters are never
// digits, '.', ',' or '-', so working on bytes gives the same result.
template <typename First, typename Second, typename Emit>
std::string substitute_pairs(const std::string& s, First first, Second second, Emit emit) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  size_t i = 0;
  while (i < s.size()) {
    if (i + 1 < s.size() && first(s[i]) && second(s[i + 1])) {
      emit(out, s[i], s[i + 1]);
      i += 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// The code point of the UTF-8 sequence at s[i] and its length (a stray byte
// counts as itself).
std::pair<uint32_t, size_t> decode(const std::string& s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  const size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 1;
  if (n == 1 || i + n > s.size()) return {b, 1};
  uint32_t cp = b & (0xFF >> (n + 1));
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return {cp, n};
}

// Python's str.isspace(): what str.split() splits on.
bool python_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

std::vector<std::string> split_python(const std::string& s) {
  std::vector<std::string> tokens;
  std::string current;
  for (size_t i = 0; i < s.size();) {
    const auto [cp, n] = decode(s, i);
    if (python_space(cp)) {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
    } else {
      current.append(s, i, n);
    }
    i += n;
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

std::string rstrip_python(const std::string& s) {
  // Trailing whitespace only; decoding from the front keeps multi-byte characters whole.
  size_t keep = 0;
  for (size_t i = 0; i < s.size();) {
    const auto [cp, n] = decode(s, i);
    i += n;
    if (!python_space(cp)) keep = i;
  }
  return s.substr(0, keep);
}

std::vector<std::string> tokens_13a(const std::string& segment) {
  std::string line = segment;
  replace_all(line, "<skipped>", "");
  replace_all(line, "-\n", "");
  replace_all(line, "\n", " ");
  if (line.find('&') != std::string::npos) {
    replace_all(line, "&quot;", "\"");
    replace_all(line, "&amp;", "&");
    replace_all(line, "&lt;", "<");
    replace_all(line, "&gt;", ">");
  }
  line = " " + line + " ";
  std::string a;  // rule a: split these ASCII symbols off
  for (char c : line) {
    if (split_off(c))
      a += std::string(" ") + c + " ";
    else
      a += c;
  }
  auto point = [](char c) { return c == '.' || c == ','; };
  auto non_digit = [](char c) { return !is_digit(c); };
  std::string b = substitute_pairs(
      a, non_digit, point, [](std::string& out, char x, char y) { out += x, out += ' ', out += y, out += ' '; });
  std::string c = substitute_pairs(
      b, point, non_digit, [](std::string& out, char x, char y) { out += ' ', out += x, out += ' ', out += y; });
  std::string d = substitute_pairs(
      c, is_digit, [](char y) { return y == '-'; },
      [](std::string& out, char x, char y) { out += x, out += ' ', out += y, out += ' '; });
  return split_python(d);
}

using NgramCounts = std::map<std::vector<std::string>, int64_t>;

NgramCounts ngrams(const std::vector<std::string>& tokens, size_t n) {
  NgramCounts counts;
  for (size_t i = 0; i + n <= tokens.size(); ++i)
    ++counts[std::vector<std::string>(tokens.begin() + i, tokens.begin() + i + n)];
  return counts;
}

}  // namespace

std::string tokenize_13a(const std::string& segment) {
  std::string out;
  for (const auto& token : tokens_13a(segment)) out += (out.empty() ? "" : " ") + token;
  return out;
}

BleuCounts& BleuCounts::operator+=(const BleuCounts& other) {
  for (size_t n = 0; n < 4; ++n) {
    correct[n] += other.correct[n];
    total[n] += other.total[n];
  }
  hypothesis_length += other.hypothesis_length;
  reference_length += other.reference_length;
  return *this;
}

std::array<double, 4> BleuCounts::precisions() const {
  std::array<double, 4> p{};
  double smooth = 1.0;
  for (size_t n = 0; n < 4; ++n) {
    if (total[n] == 0) break;  // no n-grams of this order: this and higher precisions stay 0
    if (correct[n] == 0) {
      smooth *= 2;
      p[n] = 100.0 / (smooth * static_cast<double>(total[n]));
    } else {
      p[n] = 100.0 * static_cast<double>(correct[n]) / static_cast<double>(total[n]);
    }
  }
  return p;
}

double BleuCounts::brevity_penalty() const {
  if (hypothesis_length >= reference_length) return 1.0;
  if (hypothesis_length == 0) return 0.0;
  return std::exp(1.0 - static_cast<double>(reference_length) / static_cast<double>(hypothesis_length));
}

double BleuCounts::score() const {
  double log_sum = 0;
  for (double p : precisions()) log_sum += p > 0 ? std::log(p) : -9999999999.0;
  return brevity_penalty() * std::exp(log_sum / 4.0);
}

BleuCounts segment_counts(const std::string& hypothesis, const std::string& reference) {
  const auto hyp = tokens_13a(rstrip_python(hypothesis));
  const auto ref = tokens_13a(rstrip_python(reference));
  BleuCounts counts;
  counts.hypothesis_length = static_cast<int64_t>(hyp.size());
  counts.reference_length = static_cast<int64_t>(ref.size());
  for (size_t n = 1; n <= 4; ++n) {
    const auto reference_ngrams = ngrams(ref, n);
    for (const auto& [gram, count] : ngrams(hyp, n)) {
      const auto match = reference_ngrams.find(gram);
      counts.correct[n - 1] += match == reference_ngrams.end() ? 0 : std::min(count, match->second);
    }
    counts.total[n - 1] = std::max<int64_t>(0, static_cast<int64_t>(hyp.size()) - static_cast<int64_t>(n) + 1);
  }
  return counts;
}

BleuCounts corpus_counts(const std::vector<std::string>& hypotheses, const std::vector<std::string>& references) {
  check(hypotheses.size() == references.size(), "BLEU: {} hypotheses but {} references; expected one each",
        hypotheses.size(), references.size());
  BleuCounts counts;
  for (size_t i = 0; i < hypotheses.size(); ++i) counts += segment_counts(hypotheses[i], references[i]);
  return counts;
}

}  // namespace attn::metrics
