// Stopping cleanly on SIGTERM and SIGINT. Batch schedulers send SIGTERM some
// time before a job's limit, and people press Ctrl-C: either way a training
// process should save its checkpoint at the next step boundary and exit, so
// that a requeued or rerun `--resume` loses nothing.
//
// The handlers only record the signal (async-signal-safe); the trainer
// polls interrupt_signal() between steps, checkpoints and throws
// Interrupted; run_app turns that into exit code kInterruptedExit and one
// line saying how to continue. A parent forwards the signal to its workers
// (io/process_pool.h), and workers die with their parent (PR_SET_PDEATHSIG).
//
// Only code that polls installs the handlers (the trainers and the worker
// pool call install_interrupt_handlers() first): a recorded signal that
// nobody reads would make a process that does not train (attn-analyze,
// attn-bench, ...) ignore SIGTERM and Ctrl-C. Until then the signals keep
// their default action; such apps write their results atomically, so a
// killed one leaves no half-written file.
#pragma once

#include <stdexcept>
#include <string>

namespace attn {

/// Exit code of a process stopped by SIGTERM/SIGINT after checkpointing
/// (EX_TEMPFAIL: "try again later" - a requeue with --resume continues).
constexpr int kInterruptedExit = 75;

/// Installs the SIGTERM/SIGINT handlers that record the signal for
/// interrupt_signal(); idempotent. Call it only where interrupt_signal() is
/// polled from then on (the trainers, the worker pool).
void install_interrupt_handlers();

/// Ignores SIGXFSZ, so that exceeding a file-size limit is a write error
/// with a reason instead of a killed process (run_app does it).
void ignore_file_size_signal();

/// The signal received since start (SIGTERM or SIGINT), or 0.
int interrupt_signal();

/// "SIGTERM" / "SIGINT".
std::string signal_name(int signal);

/// Thrown at a step boundary once the run's state is saved.
class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace attn
