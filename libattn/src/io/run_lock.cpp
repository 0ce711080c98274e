// Run-folder lock (see attn/io/run_lock.h).
#include "attn/io/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#include "attn/core/error.h"
#include "attn/io/files.h"

namespace attn::io {

namespace {

// Folders this process holds, with how many RunLocks hold each: a nested
// lock of the same folder (the recorded-run wrapper, then its trainer) is a
// no-op, where a second flock() of its own would fail.
std::mutex held_mutex;
std::map<std::string, int>& held() {
  static std::map<std::string, int> folders;
  return folders;
}

}  // namespace

RunLock::RunLock(const std::filesystem::path& dir) {
  ensure_directory(dir);
  // With the PID: a forked child inherits the map but not the lock's rights.
  key_ = std::to_string(::getpid()) + ":" + std::filesystem::weakly_canonical(dir).string();
  {
    std::lock_guard<std::mutex> guard(held_mutex);
    auto found = held().find(key_);
    if (found != held().end()) {
      ++found->second;
      return;
    }
  }
  const auto path = dir / ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  check(fd_ >= 0, "{}: cannot open the run lock ({})", path.string(), std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char holder[32] = {0};
    const ssize_t n = ::pread(fd_, holder, sizeof(holder) - 1, 0);
    ::close(fd_);
    fd_ = -1;
    check(error != EWOULDBLOCK, "{}: in use by process {} (another training of this run; wait for it or stop it)",
          dir.string(), n > 0 ? std::string(holder, static_cast<size_t>(n)) : std::string("?"));
    throw Error(fmt::format("{}: cannot lock ({})", path.string(), std::strerror(error)));
  }
  {
    std::lock_guard<std::mutex> guard(held_mutex);
    held()[key_] = 1;
  }
  // The holder's PID, for the message a second process prints.
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // Not fatal: the lock holds regardless; the message would only lack the PID.
  }
}

RunLock::~RunLock() {
  std::lock_guard<std::mutex> guard(held_mutex);
  auto found = held().find(key_);
  if (found != held().end() && --found->second == 0) held().erase(found);
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace attn::io
