// Raw e-mail -> plain text (see attn/data/mail_text.h).
#include "attn/data/mail_text.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>

namespace attn::data {

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
    while (begin < text.size() && (text[begin] == ' ' || text[begin] == '\t')) ++begin;  // "boundary= \"...\""
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

std::string collapse_whitespace_and_controls(const std::string& text) {
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
  return collapse_whitespace_and_controls(strip_html(to_valid_utf8(extract_mime_text(headers, body))));
}

}  // namespace attn::data
