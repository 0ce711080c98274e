// Small file-system helpers every writer in libattn goes through, so that a
// result file or checkpoint is either complete or absent (write, then rename).
#pragma once

#include <filesystem>
#include <string>

namespace attn::io {

/// Writes `content` to `path` atomically: a temporary file beside it, flushed,
/// then renamed over `path`. Throws attn::Error naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, const std::string& content);

/// Reads a whole text file; throws attn::Error("<path>: cannot read ...").
std::string read_text_file(const std::filesystem::path& path);

/// Creates `dir` (and parents); throws attn::Error naming it on failure.
void ensure_directory(const std::filesystem::path& dir);

/// A temporary sibling name for atomic writes: "<path>.tmp.<pid>".
std::filesystem::path temporary_sibling(const std::filesystem::path& path);

}  // namespace attn::io
