// Test helper: writes GNU gettext .mo files (gmo.h layout) in memory, so that
// tests can read catalogues they made themselves: static entries in either
// byte order, and a revision-1 section of system-dependent strings.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace attn_test {

// A .mo file: static entries (sorted as msgfmt would not matter here) and
// system-dependent strings given as alternating static texts and segment
// references (-1 ends).
struct SysdepString {
  std::vector<std::pair<std::string, int>> parts;  ///< (static text, segment index or -1)
};

inline std::string build_mo(const std::vector<std::pair<std::string, std::string>>& entries, bool big_endian,
                            const std::vector<std::string>& segments = {},
                            const std::vector<std::pair<SysdepString, SysdepString>>& sysdep = {}) {
  const bool rev1 = !segments.empty();
  std::string out;
  auto put = [&](uint32_t v) {
    if (big_endian) v = __builtin_bswap32(v);
    out.append(reinterpret_cast<const char*>(&v), 4);
  };
  auto put_at = [&](size_t at, uint32_t v) {
    if (big_endian) v = __builtin_bswap32(v);
    std::memcpy(&out[at], &v, 4);
  };
  const uint32_t n = static_cast<uint32_t>(entries.size());
  const uint32_t header = rev1 ? 48 : 28;
  put(0x950412de), put(rev1 ? 1 : 0), put(n), put(header), put(header + 8 * n), put(0), put(0);
  if (rev1)
    for (int i = 0; i < 5; ++i) put(0);  // filled below
  const size_t tables = out.size();
  out.resize(tables + 16 * n);
  std::vector<uint32_t> originals, translations;
  for (uint32_t i = 0; i < n; ++i) {
    put_at(tables + 8 * i, static_cast<uint32_t>(entries[i].first.size()));
    put_at(tables + 8 * i + 4, static_cast<uint32_t>(out.size()));
    out += entries[i].first + '\0';
  }
  for (uint32_t i = 0; i < n; ++i) {
    put_at(tables + 8 * n + 8 * i, static_cast<uint32_t>(entries[i].second.size()));
    put_at(tables + 8 * n + 8 * i + 4, static_cast<uint32_t>(out.size()));
    out += entries[i].second + '\0';
  }
  if (!rev1) return out;
  // Segment names, then each sysdep string's static text and its descriptor.
  std::vector<std::pair<uint32_t, uint32_t>> segment_descriptors;
  for (const auto& s : segments) {
    segment_descriptors.emplace_back(static_cast<uint32_t>(s.size() + 1), static_cast<uint32_t>(out.size()));
    out += s + '\0';
  }
  auto write_sysdep = [&](const SysdepString& s) {
    const uint32_t text_at = static_cast<uint32_t>(out.size());
    for (size_t k = 0; k < s.parts.size(); ++k)
      out += s.parts[k].first + (k + 1 == s.parts.size() ? std::string(1, '\0') : "");
    const uint32_t descriptor_at = static_cast<uint32_t>(out.size());
    put(text_at);
    for (size_t k = 0; k < s.parts.size(); ++k) {
      put(static_cast<uint32_t>(s.parts[k].first.size() + (k + 1 == s.parts.size() ? 1 : 0)));
      put(s.parts[k].second < 0 ? 0xFFFFFFFFu : static_cast<uint32_t>(s.parts[k].second));
    }
    return descriptor_at;
  };
  std::vector<uint32_t> original_at, translation_at;
  for (const auto& [id, str] : sysdep)
    original_at.push_back(write_sysdep(id)), translation_at.push_back(write_sysdep(str));
  const uint32_t segments_table = static_cast<uint32_t>(out.size());
  for (const auto& [length, offset] : segment_descriptors) put(length), put(offset);
  const uint32_t originals_table = static_cast<uint32_t>(out.size());
  for (uint32_t v : original_at) put(v);
  const uint32_t translations_table = static_cast<uint32_t>(out.size());
  for (uint32_t v : translation_at) put(v);
  put_at(28, static_cast<uint32_t>(segments.size()));
  put_at(32, segments_table);
  put_at(36, static_cast<uint32_t>(sysdep.size()));
  put_at(40, originals_table);
  put_at(44, translations_table);
  return out;
}

}  // namespace attn_test
