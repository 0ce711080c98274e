// Submitting a run set to a Slurm cluster (`--launcher slurm`): each phase of
// an experiment becomes one sbatch job array (one task per unit of work: a
// run, a screening worker, a trial) and the summary one job, each starting
// after the one before has ended well (--dependency=afterok). The tasks run
// the same app with its public single-unit flags (--only-run, --only-trial,
// --screening-worker, --summarize), so a Slurm-run set has the same folders
// and results as a local one.
//
// Preemption and time limits: every script asks Slurm for SIGTERM some minutes
// before the limit (--signal=B:TERM@<s>, to the batch shell, which forwards it
// to the app) and is requeueable (--requeue). The app checkpoints at the next
// step boundary and exits 75 (core/interrupt.h); the script then requeues its
// own task, which resumes from the checkpoint (a single-unit run always
// resumes). A task Slurm itself requeues (preemption, `scontrol requeue`, a
// failed node) is signalled the same way and resumes the same way.
//
// Files, in <run folder>/slurm/: <stage>.sbatch (the scripts), jobs.csv (one
// line per submitted job: when, stage, job id, tasks), <stage>-<job>_<task>.out
// (each task's output).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace attn::io {

/// The site options of a submission (the --partition, --account, --time,
/// --gres, --sbatch-option and --dry-run flags).
struct SlurmOptions {
  std::string partition;  ///< --partition, empty: the cluster's default
  std::string account;    ///< --account, empty: the user's default
  std::string time;       ///< --time limit of each task ("HH:MM:SS", "D-HH"), empty: the partition's
  std::string gres;       ///< --gres of each task ("gpu:1"), empty: none
  /// Further sbatch options, written verbatim after libattn's own, so they
  /// win over them ("--qos=long", "--signal=B:TERM@900", "--mem=4G").
  std::vector<std::string> sbatch_options;
  bool dry_run = false;  ///< write and print the scripts, submit nothing
};

/// How long before its time limit a task is told to checkpoint and stop
/// (sbatch --signal=B:TERM@<seconds>): a step of the paper-scale models takes
/// under a second on CPU, a translation evaluation about a minute.
inline constexpr int kSlurmWarningSeconds = 300;

/// One job of a submission: an array with one task per entry of `tasks`, or
/// (array = false) a single job running tasks[0].
struct SlurmStage {
  std::string name;                             ///< "runs", "screening", "trials", "summary"
  std::vector<std::vector<std::string>> tasks;  ///< the app's arguments for each task
  bool array = true;
  int cpus_per_task = 1;  ///< --cpus-per-task (the app's --threads)
  bool gpu = true;        ///< whether --gres applies (not to the summary)
};

/// What an app submits: its stages, in order, each after the previous one.
struct SlurmSubmission {
  std::string program;            ///< the app's name ("attn-copy"), for job names and messages
  std::filesystem::path out;      ///< the run folder (absolute)
  std::vector<SlurmStage> stages;  ///< a stage without tasks is left out (finished already)
};

/// The sbatch script of `stage` (its #SBATCH header, the task table and the
/// wrapper that forwards SIGTERM and requeues a task that exited 75).
/// `executable` is the absolute path of the app.
std::string slurm_script(const SlurmSubmission& submission, const SlurmStage& stage, const SlurmOptions& options,
                         const std::string& executable);

/// Writes every stage's script into <out>/slurm/ and prints it; unless
/// options.dry_run, submits each with sbatch (after the previous one:
/// --dependency=afterok:<id>), appends the job ids to <out>/slurm/jobs.csv and
/// prints one line per job. Returns the job ids ("" for each stage in a dry run).
/// Throws attn::Error naming sbatch and its message when a submission fails.
std::vector<std::string> submit_to_slurm(const SlurmSubmission& submission, const SlurmOptions& options);

/// The job ids recorded in <out>/slurm/jobs.csv, oldest first (empty when none).
std::vector<std::string> recorded_slurm_jobs(const std::filesystem::path& out);

/// Quotes `word` for bash (single quotes unless it is plain).
std::string shell_quote(const std::string& word);

}  // namespace attn::io
