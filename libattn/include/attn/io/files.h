// Small file-system helpers every writer in libattn goes through, so that a
// result file or checkpoint is either complete or absent (write, then rename).
#pragma once

#include <filesystem>
#include <string>

namespace attn::io {

/// Writes `content` to `path` atomically and durably: a temporary file in the
/// same folder, written, fsync()ed, renamed over `path`, then the folder
/// fsync()ed (so the rename survives a power cut). On any failure the
/// temporary file is removed, `path` keeps its previous content, and
/// attn::Error names `path` with the OS reason ("No space left on device").
void write_file_atomic(const std::filesystem::path& path, const std::string& content);
/// The same for raw bytes.
void write_bytes_atomic(const std::filesystem::path& path, const char* data, size_t size);

/// Removes the temporary files ("<name>.tmp.<pid>") a killed writer left in
/// `dir` (not recursive). Call it only while holding the folder (RunLock):
/// then no live writer owns one. Returns how many were removed.
int remove_stale_temporaries(const std::filesystem::path& dir);

/// Reads a whole text file; throws attn::Error("<path>: cannot read ...").
std::string read_text_file(const std::filesystem::path& path);

/// Creates `dir` (and parents); throws attn::Error naming it on failure.
void ensure_directory(const std::filesystem::path& dir);

/// A temporary sibling name for atomic writes: "<path>.tmp.<pid>".
std::filesystem::path temporary_sibling(const std::filesystem::path& path);

}  // namespace attn::io
