// Child-process pool (see attn/io/process_pool.h).
#include "attn/io/process_pool.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "attn/core/error.h"

extern char** environ;

namespace attn::io {

std::vector<int> run_self_in_parallel(const std::vector<std::vector<std::string>>& argument_lists, int jobs,
                                      const std::string& program_name,
                                      const std::function<void(size_t index, int code)>& on_exit) {
  check(jobs >= 1, "--jobs: expected at least 1, got {}", jobs);
  std::vector<int> codes(argument_lists.size(), -1);
  std::map<pid_t, size_t> running;
  size_t next = 0;
  auto wait_one = [&] {
    int status = 0;
    pid_t pid;
    do pid = ::waitpid(-1, &status, 0);
    while (pid < 0 && errno == EINTR);
    check(pid > 0, "waiting for a child process failed: {}", std::strerror(errno));
    auto it = running.find(pid);
    if (it == running.end()) return;
    const size_t index = it->second;
    codes[index] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    running.erase(it);
    if (on_exit) on_exit(index, codes[index]);
  };
  while (next < argument_lists.size() || !running.empty()) {
    while (next < argument_lists.size() && static_cast<int>(running.size()) < jobs) {
      std::vector<std::string> args = argument_lists[next];
      args.insert(args.begin(), program_name);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      pid_t pid = 0;
      const int rc = ::posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), environ);
      check(rc == 0, "cannot start a worker process: {}", std::strerror(rc));
      running[pid] = next++;
    }
    wait_one();
  }
  return codes;
}

}  // namespace attn::io
