// Atomic file writes and checked reads (see attn/io/files.h).
#include "attn/io/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

namespace {

// Writes all of `size` bytes or returns the errno of the failure.
int write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace

void write_bytes_atomic(const fs::path& path, const char* data, size_t size) {
  if (path.has_parent_path()) ensure_directory(path.parent_path());
  const fs::path tmp = temporary_sibling(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  check(fd >= 0, "{}: cannot write ({})", path.string(), std::strerror(errno));
  int error = write_all(fd, data, size);
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(tmp.c_str());
    throw Error(fmt::format("{}: cannot write ({})", path.string(), std::strerror(error)));
  }
  // The rename is durable once the folder's entry is on disk.
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const int dir_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

void write_file_atomic(const fs::path& path, const std::string& content) {
  write_bytes_atomic(path, content.data(), content.size());
}

int remove_stale_temporaries(const fs::path& dir) {
  std::error_code ec;
  int removed = 0;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const auto at = name.rfind(".tmp.");
    if (at == std::string::npos || at == 0 || !entry.is_regular_file()) continue;
    const std::string pid = name.substr(at + 5);
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (fs::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "{}: cannot read file (does it exist?)", path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace attn::io
