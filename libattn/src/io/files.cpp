// Atomic file writes and checked reads (see attn/io/files.h).
#include "attn/io/files.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include "attn/core/error.h"

namespace attn::io {

namespace fs = std::filesystem;

fs::path temporary_sibling(const fs::path& path) {
  return fs::path(path.string() + ".tmp." + std::to_string(::getpid()));
}

void ensure_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  check(!ec, "{}: cannot create directory ({})", dir.string(), ec.message());
}

void write_file_atomic(const fs::path& path, const std::string& content) {
  if (path.has_parent_path()) ensure_directory(path.parent_path());
  const fs::path tmp = temporary_sibling(path);
  {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    check(f != nullptr, "{}: cannot open for writing", tmp.string());
    const size_t written = std::fwrite(content.data(), 1, content.size(), f);
    const bool flushed = std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
    const bool closed = std::fclose(f) == 0;
    if (written != content.size() || !flushed || !closed) {
      std::remove(tmp.c_str());
      throw Error(fmt::format("{}: write failed (disk full?)", path.string()));
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw Error(fmt::format("{}: cannot rename into place ({})", path.string(), ec.message()));
  }
}

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "{}: cannot read file (does it exist?)", path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace attn::io
