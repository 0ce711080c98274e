// SHA-256 (FIPS 180-4), for the checksums that prepared data sets record in
// their manifest.json so that a later run can tell an intact file from a
// truncated or edited one. Small and dependency-free; not constant-time (it
// checks data integrity, it is not for secrets).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace attn::io {

/// The SHA-256 digest of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

/// The SHA-256 of a file's bytes; throws attn::Error naming a missing file.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace attn::io
