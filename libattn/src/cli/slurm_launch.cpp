// The apps' Slurm submissions (see attn/cli/slurm_launch.h).
#include "attn/cli/slurm_launch.h"

#include <fmt/format.h>

#include "attn/core/error.h"

namespace attn::cli {

int slurm_task_threads(const CommonOptions& common) { return common.threads > 0 ? common.threads : 1; }

io::SlurmStage slurm_unit_stage(const CommonOptions& common, std::string name, size_t units,
                                const std::function<std::vector<std::string>(size_t k)>& unit_arguments) {
  io::SlurmStage stage;
  stage.name = std::move(name);
  stage.cpus_per_task = slurm_task_threads(common);
  for (size_t k = 0; k < units; ++k) {
    auto arguments = unit_arguments(k);
    for (auto& flag : common.worker_flags(stage.cpus_per_task)) arguments.push_back(std::move(flag));
    stage.tasks.push_back(std::move(arguments));
  }
  return stage;
}

io::SlurmStage slurm_summary_stage(const CommonOptions& common, std::vector<std::string> arguments) {
  io::SlurmStage stage;
  stage.name = "summary";
  stage.array = false;
  stage.gpu = false;  // reads files and draws figures
  stage.cpus_per_task = 1;
  for (auto& flag : common.worker_flags(1)) arguments.push_back(std::move(flag));
  stage.tasks.push_back(std::move(arguments));
  return stage;
}

int submit_run_set(const CommonOptions& common, const std::string& program, const std::filesystem::path& out,
                   std::vector<io::SlurmStage> stages) {
  check(common.slurm.has_value(), "{}: submit_run_set without --launcher slurm", program);
  io::SlurmSubmission submission;
  submission.program = program;
  submission.out = std::filesystem::absolute(out).lexically_normal();
  submission.stages = std::move(stages);
  size_t units = 0;
  for (const auto& stage : submission.stages)
    if (stage.array) units += stage.tasks.size();
  if (units == 0)
    fmt::print(stderr, "[{}] every unit of {} has finished; submitting only the summary\n", program,
               submission.out.string());
  io::submit_to_slurm(submission, *common.slurm);
  if (!common.slurm->dry_run)
    fmt::print("[{}] follow with: squeue --me; the summary lands in {} when every task has ended well\n", program,
               submission.out.string());
  return 0;
}

}  // namespace attn::cli
