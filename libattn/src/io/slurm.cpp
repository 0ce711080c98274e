// Slurm submission (see attn/io/slurm.h).
#include "attn/io/slurm.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <chrono>
#include <ctime>
#include <sstream>

#include "attn/core/error.h"
#include "attn/io/files.h"

extern char** environ;

namespace attn::io {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                             "0123456789-_./=:+,@%") == std::string::npos;
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

namespace {

fs::path slurm_folder(const fs::path& out) { return out / "slurm"; }

std::string job_name(const SlurmSubmission& submission, const SlurmStage& stage) {
  return fmt::format("{}-{}-{}", submission.program, submission.out.filename().string(), stage.name);
}

// The part of every script after the task table: run the app in the
// background so that this shell can pass Slurm's warning signal on to it
// (--signal=B:TERM reaches only the batch shell), wait for its own exit code,
// and requeue the task when it stopped at a checkpoint (exit 75).
constexpr const char* kWrapper = R"(# Slurm's warning signal (--signal=B:TERM) reaches only this shell: pass it on,
# so that the app saves its checkpoint at the next step and exits 75.
"$app" "$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
wait "$child"
code=$?
# A signal ends `wait` early (code > 128); wait again for the app's own exit code.
for _ in 1 2 3 4 5; do
  [ "$code" -gt 128 ] || break
  wait "$child"
  code=$?
done
if [ "$code" -eq 75 ]; then
  # Stopped at a checkpoint before the time limit or on preemption: put this
  # task back in the queue; it continues from the checkpoint.
  task="${SLURM_JOB_ID}"
  [ -n "${SLURM_ARRAY_JOB_ID:-}" ] && task="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
  echo "[attn] task ${task} stopped at a checkpoint (exit 75): requeueing it" >&2
  scontrol requeue "$task" || true
fi
exit "$code"
)";

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

struct CommandResult {
  int code = -1;
  std::string output;  // stdout and stderr together
};

// Runs argv (found on PATH) without a shell, collecting its output.
CommandResult run_command(const std::vector<std::string>& arguments) {
  int pipe_fds[2];
  check(::pipe2(pipe_fds, O_CLOEXEC) == 0, "{}: cannot make a pipe ({})", arguments[0], std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  std::vector<char*> argv;
  for (const auto& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, arguments[0].c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  CommandResult result;
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    throw Error(fmt::format("{}: cannot run it ({}); --launcher slurm submits with sbatch, which must be on PATH "
                            "(--dry-run only writes the scripts)",
                            arguments[0], std::strerror(spawned)));
  }
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      result.output.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) break;
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return result;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

std::string slurm_script(const SlurmSubmission& submission, const SlurmStage& stage, const SlurmOptions& options,
                         const std::string& executable) {
  check(!stage.tasks.empty(), "{}: stage '{}' has no task to submit", submission.program, stage.name);
  const fs::path logs = slurm_folder(submission.out);
  std::ostringstream s;
  s << "#!/bin/bash\n";
  s << fmt::format("# {} --launcher slurm: {} of {} ({} task{}).\n", submission.program, stage.name,
                   submission.out.string(), stage.tasks.size(), stage.tasks.size() == 1 ? "" : "s");
  s << "# Written by libattn (attn/io/slurm.h); submitting the run set again rewrites it for what is unfinished.\n";
  auto sbatch = [&](const std::string& option) { s << "#SBATCH " << option << "\n"; };
  sbatch("--job-name=" + job_name(submission, stage));
  if (stage.array) sbatch(fmt::format("--array=0-{}", stage.tasks.size() - 1));
  sbatch(fmt::format("--cpus-per-task={}", stage.cpus_per_task));
  sbatch("--ntasks=1");
  sbatch("--chdir=" + fs::current_path().string());
  sbatch("--output=" + (logs / (stage.name + (stage.array ? "-%A_%a.out" : "-%j.out"))).string());
  sbatch("--open-mode=append");  // a requeued task adds to its log instead of replacing it
  sbatch("--requeue");
  sbatch(fmt::format("--signal=B:TERM@{}", kSlurmWarningSeconds));
  if (!options.partition.empty()) sbatch("--partition=" + options.partition);
  if (!options.account.empty()) sbatch("--account=" + options.account);
  if (!options.time.empty()) sbatch("--time=" + options.time);
  if (!options.gres.empty() && stage.gpu) sbatch("--gres=" + options.gres);
  for (const auto& extra : options.sbatch_options) sbatch(extra);
  s << "set -u\n";
  s << "app=" << shell_quote(executable) << "\n";
  s << "case \"${SLURM_ARRAY_TASK_ID:-0}\" in\n";
  for (size_t k = 0; k < stage.tasks.size(); ++k) {
    s << "  " << k << ") set --";
    for (const auto& a : stage.tasks[k]) s << " " << shell_quote(a);
    s << " ;;\n";
  }
  s << "  *) echo \"no task ${SLURM_ARRAY_TASK_ID} in this array\" >&2; exit 2 ;;\nesac\n";
  s << kWrapper;
  return s.str();
}

std::vector<std::string> recorded_slurm_jobs(const fs::path& out) {
  std::vector<std::string> ids;
  const fs::path file = slurm_folder(out) / "jobs.csv";
  if (!fs::exists(file)) return ids;
  std::istringstream lines(read_text_file(file));
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    // submitted_utc,stage,job_id,tasks,script
    std::vector<std::string> fields;
    std::istringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    check(fields.size() >= 3, "{}: expected submitted_utc,stage,job_id,tasks,script, got '{}'", file.string(), line);
    ids.push_back(fields[2]);
  }
  return ids;
}

std::vector<std::string> submit_to_slurm(const SlurmSubmission& submission, const SlurmOptions& options) {
  check(submission.out.is_absolute(), "{}: the run folder of a submission must be absolute",
        submission.out.string());
  const std::string executable = fs::canonical("/proc/self/exe").string();
  const fs::path folder = slurm_folder(submission.out);
  ensure_directory(folder);
  const fs::path jobs_file = folder / "jobs.csv";
  std::vector<std::string> ids;
  std::string previous;  // the job the next stage waits for
  for (const auto& stage : submission.stages) {
    if (stage.tasks.empty()) continue;  // finished already
    const fs::path script = folder / (stage.name + ".sbatch");
    const std::string text = slurm_script(submission, stage, options, executable);
    write_file_atomic(script, text);
    if (options.dry_run) {
      fmt::print("# ---- {} ----\n{}", script.string(), text);
      fmt::print("# --dry-run: not submitted; it would be: sbatch --parsable{} {}\n\n",
                 previous.empty() ? "" : " --dependency=afterok:<the job above> --kill-on-invalid-dep=yes",
                 shell_quote(script.string()));
      ids.emplace_back();
      previous = "<dry run>";
      continue;
    }
    std::vector<std::string> command = {"sbatch", "--parsable"};
    if (!previous.empty()) {
      command.push_back("--dependency=afterok:" + previous);
      command.push_back("--kill-on-invalid-dep=yes");  // a failed task cancels what waits for it
    }
    command.push_back(script.string());
    const auto result = run_command(command);
    const std::string output = trimmed(result.output);
    check(result.code == 0, "sbatch: submitting {} failed (exit {}): {}", script.string(), result.code, output);
    // --parsable prints "<job id>" or "<job id>;<cluster>", after any warnings.
    std::string id = output.substr(output.find_last_of('\n') + 1);
    id = id.substr(0, id.find(';'));
    check(!id.empty() && id.find_first_not_of("0123456789") == std::string::npos,
          "sbatch: expected a job id from --parsable, got '{}'", output);
    std::string csv = fs::exists(jobs_file) ? read_text_file(jobs_file) : "submitted_utc,stage,job_id,tasks,script\n";
    csv += fmt::format("{},{},{},{},{}\n", utc_now(), stage.name, id, stage.tasks.size(), script.filename().string());
    write_file_atomic(jobs_file, csv);
    fmt::print("[{}] submitted {} ({} task{}) as job {}{}\n", submission.program, stage.name, stage.tasks.size(),
               stage.tasks.size() == 1 ? "" : "s", id, previous.empty() ? "" : ", after job " + previous);
    ids.push_back(id);
    previous = id;
  }
  if (!options.dry_run && !ids.empty())
    fmt::print("[{}] job ids recorded in {}; task output in {}/\n", submission.program, jobs_file.string(),
               folder.string());
  return ids;
}

}  // namespace attn::io
