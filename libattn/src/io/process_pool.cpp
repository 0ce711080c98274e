// Child-process pool (see attn/io/process_pool.h).
#include "attn/io/process_pool.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <csignal>
#include <map>
#include <string>

#include "attn/core/error.h"
#include "attn/core/interrupt.h"

extern char** environ;

namespace attn::io {

std::vector<int> run_self_in_parallel(const std::vector<std::vector<std::string>>& argument_lists, int jobs,
                                      const std::string& program_name,
                                      const std::function<void(size_t index, int code)>& on_exit) {
  check(jobs >= 1, "--jobs: expected at least 1, got {}", jobs);
  install_interrupt_handlers();  // polled while waiting: forwarded to the workers
  std::vector<int> codes(argument_lists.size(), -1);
  std::map<pid_t, size_t> running;
  size_t next = 0;
  // Workers read this to die with their parent (core/runtime.h, run_app).
  ::setenv("ATTN_WORKER_PARENT", std::to_string(::getpid()).c_str(), 1);
  int forwarded = 0;  // the signal passed on to the workers, once
  auto forward_interrupt = [&] {
    const int signal = interrupt_signal();
    if (signal == 0 || forwarded != 0) return;
    forwarded = signal;
    for (const auto& [pid, index] : running) ::kill(pid, signal);
  };
  auto wait_one = [&] {
    int status = 0;
    pid_t pid;
    while (true) {
      forward_interrupt();
      pid = ::waitpid(-1, &status, 0);
      if (pid >= 0 || errno != EINTR) break;
    }
    check(pid > 0, "waiting for a child process failed: {}", std::strerror(errno));
    auto it = running.find(pid);
    if (it == running.end()) return;
    const size_t index = it->second;
    codes[index] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    running.erase(it);
    if (on_exit) on_exit(index, codes[index]);
  };
  while (next < argument_lists.size() || !running.empty()) {
    // After a signal no new worker starts; the running ones checkpoint and stop.
    while (interrupt_signal() == 0 && next < argument_lists.size() && static_cast<int>(running.size()) < jobs) {
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
    if (running.empty()) break;
    wait_one();
  }
  if (interrupt_signal() != 0)
    throw Interrupted(fmt::format("stopped by {}: the running workers saved their checkpoints ({} of {} units not "
                                  "started)",
                                  signal_name(interrupt_signal()), argument_lists.size() - next,
                                  argument_lists.size()));
  return codes;
}

}  // namespace attn::io
