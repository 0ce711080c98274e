// .mo catalogue reading (see attn/data/gettext_catalogue.h).
#include "attn/data/gettext_catalogue.h"

#include <iconv.h>

#include <cerrno>
#include <cstring>

#include "attn/core/error.h"
#include "attn/io/files.h"

namespace attn::data {

namespace {

constexpr uint32_t kMagic = 0x950412de;
constexpr uint32_t kSegmentsEnd = 0xFFFFFFFF;
constexpr char kContextSeparator = '\x04';

class Reader {
 public:
  Reader(std::string_view bytes, std::string origin) : bytes_(bytes), origin_(std::move(origin)) {
    check(bytes_.size() >= 28, "{}: not a .mo catalogue (only {} bytes)", origin_, bytes_.size());
    const uint32_t magic = raw(0);
    swapped_ = magic != kMagic;
    check(magic == kMagic || swap(magic) == kMagic, "{}: not a .mo catalogue (magic number {:#010x})", origin_, magic);
  }

  uint32_t u32(uint64_t offset) const {
    const uint32_t v = raw(offset);
    return swapped_ ? swap(v) : v;
  }

  /// The string of a (length, offset) descriptor at `at`.
  std::string_view string_at(uint64_t at) const { return slice(u32(at + 4), u32(at)); }

  std::string_view slice(uint64_t offset, uint64_t length) const {
    check(offset + length <= bytes_.size(), "{}: truncated catalogue (a string at byte {} runs past its end)", origin_,
          offset);
    return bytes_.substr(offset, length);
  }

  const std::string& origin() const { return origin_; }

 private:
  uint32_t raw(uint64_t offset) const {
    check(offset + 4 <= bytes_.size(), "{}: truncated catalogue (a table at byte {} runs past its end)", origin_,
          offset);
    uint32_t v;
    std::memcpy(&v, bytes_.data() + offset, 4);
    return v;
  }
  static uint32_t swap(uint32_t v) { return __builtin_bswap32(v); }

  std::string_view bytes_;
  std::string origin_;
  bool swapped_ = false;
};

// glibc's expansion on x86-64 (LP64) of the inttypes.h macros a catalogue may
// name; "" when unknown.
std::string expand_segment(const std::string& name) {
  if (name == "I") return "I";
  if (name.size() < 5 || name.compare(0, 3, "PRI") != 0) return "";
  const char conversion = name[3];
  if (std::string("diouxX").find(conversion) == std::string::npos) return "";
  const std::string width = name.substr(4);
  for (const char* plain : {"8", "16", "32", "LEAST8", "LEAST16", "LEAST32", "FAST8"})
    if (width == plain) return std::string(1, conversion);
  for (const char* wide : {"64", "LEAST64", "FAST16", "FAST32", "FAST64", "MAX", "PTR"})
    if (width == wide) return std::string("l") + conversion;
  return "";
}

std::string to_utf8(std::string_view text, const std::string& charset, const std::string& where) {
  if (charset.empty() || charset == "UTF-8" || charset == "utf-8" || charset == "ASCII" || charset == "CHARSET")
    return std::string(text);
  iconv_t cd = ::iconv_open("UTF-8", charset.c_str());
  check(cd != reinterpret_cast<iconv_t>(-1), "{}: unknown charset '{}'", where, charset);
  std::string out(text.size() * 4 + 4, '\0');
  char* in_ptr = const_cast<char*>(text.data());
  size_t in_left = text.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  const size_t rc = ::iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  const int error = errno;
  ::iconv_close(cd);
  check(rc != static_cast<size_t>(-1), "{}: cannot convert from {} to UTF-8 ({})", where, charset,
        std::strerror(error));
  out.resize(out.size() - out_left);
  return out;
}

std::string charset_of(const std::string& header) {
  const auto at = header.find("charset=");
  if (at == std::string::npos) return "UTF-8";
  const auto start = at + 8;
  const auto end = header.find_first_of(" \t\r\n;", start);
  return header.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::vector<std::string> split_nul(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at; (at = text.find('\0', start)) != std::string_view::npos; start = at + 1)
    parts.emplace_back(text.substr(start, at - start));
  parts.emplace_back(text.substr(start));
  return parts;
}

GettextEntry make_entry(const std::string& original, const std::string& translation) {
  GettextEntry e;
  std::string_view id = original;
  const auto separator = id.find(kContextSeparator);
  if (separator != std::string_view::npos) {
    e.context = std::string(id.substr(0, separator));
    id = id.substr(separator + 1);
  }
  const auto ids = split_nul(id);
  e.original = ids[0];
  if (ids.size() > 1) e.original_plural = ids[1];
  e.translations = split_nul(translation);
  return e;
}

// A revision-1 system-dependent string at `at`: static segments alternating
// with references to the named segments, expanded. false when a segment is unknown.
bool sysdep_string(const Reader& r, uint64_t at, const std::vector<std::string>& segments, std::string* out) {
  uint64_t position = r.u32(at);
  for (uint64_t pair = at + 4;; pair += 8) {
    const uint32_t size = r.u32(pair), reference = r.u32(pair + 4);
    out->append(r.slice(position, size));
    position += size;
    if (reference == kSegmentsEnd) break;
    check(reference < segments.size(), "{}: system-dependent string refers to segment {} of {}", r.origin(), reference,
          segments.size());
    if (segments[reference].empty()) return false;
    out->append(segments[reference]);
  }
  if (!out->empty() && out->back() == '\0') out->pop_back();  // the last static segment holds the NUL
  return true;
}

}  // namespace

GettextCatalogue parse_mo(std::string_view bytes, const std::string& origin) {
  const Reader r(bytes, origin);
  const uint32_t revision = r.u32(4);
  check((revision >> 16) == 0 && (revision & 0xFFFF) <= 1, "{}: .mo revision {}.{}: this reader knows 0.0 and 0.1",
        origin, revision >> 16, revision & 0xFFFF);
  const uint32_t n = r.u32(8), originals = r.u32(12), translations = r.u32(16);
  std::vector<std::pair<std::string, std::string>> raw;
  for (uint32_t i = 0; i < n; ++i)
    raw.emplace_back(r.string_at(originals + 8ull * i), r.string_at(translations + 8ull * i));

  GettextCatalogue catalogue;
  for (const auto& [id, str] : raw)
    if (id.empty()) catalogue.header = str;
  catalogue.charset = charset_of(catalogue.header);
  auto add = [&](const std::string& id, const std::string& str, bool system_dependent) {
    if (id.empty()) return;
    const std::string where = fmt::format("{}: entry '{}'", origin, id.substr(0, 40));
    GettextEntry e = make_entry(to_utf8(id, catalogue.charset, where), to_utf8(str, catalogue.charset, where));
    e.system_dependent = system_dependent;
    catalogue.entries.push_back(std::move(e));
  };
  for (const auto& [id, str] : raw) add(id, str, false);

  if ((revision & 0xFFFF) >= 1 && bytes.size() >= 48) {
    const uint32_t n_segments = r.u32(28), segments_at = r.u32(32), n_strings = r.u32(36);
    const uint32_t originals_at = r.u32(40), translations_at = r.u32(44);
    std::vector<std::string> segments;
    for (uint32_t i = 0; i < n_segments; ++i) {
      std::string name(r.string_at(segments_at + 8ull * i));
      while (!name.empty() && name.back() == '\0') name.pop_back();
      segments.push_back(expand_segment(name));
    }
    for (uint32_t i = 0; i < n_strings; ++i) {
      std::string id, str;
      if (sysdep_string(r, r.u32(originals_at + 4ull * i), segments, &id) &&
          sysdep_string(r, r.u32(translations_at + 4ull * i), segments, &str))
        add(id, str, true);
      else
        ++catalogue.skipped_system_dependent;
    }
  }
  return catalogue;
}

GettextCatalogue read_mo_file(const std::filesystem::path& path) {
  check(std::filesystem::is_regular_file(path), "{}: catalogue not found (expected a .mo file)", path.string());
  return parse_mo(io::read_text_file(path), path.string());
}

}  // namespace attn::data
