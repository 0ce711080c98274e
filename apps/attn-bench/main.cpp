// attn-bench: how fast is a copy-task training step and a KTIW probe pass on
// this machine, and what fraction of its measured matrix-multiply throughput
// do they reach. Targets (issue 2, 2-core CPU): a training step of the paper
// config (batch 128, length 40, hidden 256, Adam) in at most 300 ms.
//
//   attn-bench [--config experiments/copy/permutation40.yaml] [--threads 2]
//   attn-bench --translation experiments/translation/gettext-en-de.yaml --threads 1 [--extraction]
//                                         (target: at least 2x faster than the
//                                          authors' model on the same CPU kind:
//                                          196 ms at 1 thread on an AVX-512 CPU,
//                                          544 ms on the AVX2 EPYC; --extraction:
//                                          validation-set probes + Delta in less
//                                          than one training epoch)
//   attn-bench --make-json-dataset big.json [--megabytes 29]   (paper JSON layout)
//   attn-bench --json-dataset big.json    (read time and peak RSS; target for
//                                          29 MB: under 2 s and under 300 MB)
#include <cxxopts.hpp>

#include <algorithm>
#include <chrono>

#include "attn/cli/command_line.h"
#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/tasks/copy_flops.h"
#include "attn/tasks/copy_task.h"
#include "json_dataset.h"
#include "translation_bench.h"

namespace {

using Clock = std::chrono::steady_clock;

// Median seconds of `repeats` calls of fn after `warmup` calls.
template <typename Fn>
double median_seconds(int warmup, int repeats, Fn&& fn) {
  for (int i = 0; i < warmup; ++i) fn();
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto start = Clock::now();
    fn();
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// The machine's matrix-multiply throughput: a large square SGEMM.
double matmul_gflops(const torch::Device& device, int64_t n) {
  auto a = torch::randn({n, n}, torch::TensorOptions(device));
  auto b = torch::randn({n, n}, torch::TensorOptions(device));
  auto c = torch::empty({n, n}, torch::TensorOptions(device));
  const double seconds = median_seconds(2, 7, [&] {
    torch::mm_out(c, a, b);
    if (device.is_cuda()) c.cpu();
  });
  return 2.0 * n * n * n / seconds / 1e9;
}

int app_main(int argc, char** argv) {
  cxxopts::Options cli("attn-bench", "Times a copy-task training step and a batched KTIW probe pass, or the "
                                     "translation training step (--translation).");
  cli.add_options()
      ("c,config", "copy experiment YAML", cxxopts::value<std::string>()->default_value("experiments/copy/permutation40.yaml"))
      ("device", "auto | cpu | cuda | cuda:N", cxxopts::value<std::string>()->default_value("auto"))
      ("threads", "intra-op threads (0 = the CPUs this process may use)", cxxopts::value<int>()->default_value("0"))
      ("steps", "timed training steps (median reported)", cxxopts::value<int>()->default_value("10"))
      ("eval-examples", "examples in the evaluation pass (0 = the config's)", cxxopts::value<int64_t>()->default_value("0"))
      ("matmul-size", "n of the n x n SGEMM that measures peak throughput", cxxopts::value<int64_t>()->default_value("2048"))
      ("json-dataset", "only time reading this paper-format JSON data set (and its peak RSS)", cxxopts::value<std::string>())
      ("translation", "time the translation training step of this translation config instead",
       cxxopts::value<std::string>())
      ("extraction", "with --translation: also time probe and Delta extraction on the validation set against one "
                     "training epoch (minutes)")
      ("make-json-dataset", "only write a synthetic paper-format JSON data set here", cxxopts::value<std::string>())
      ("megabytes", "size of --make-json-dataset's file", cxxopts::value<double>()->default_value("29"))
      ("h,help", "show this help");
  auto args = attn::cli::parse_flags(cli, argc, argv);
  if (args.count("help")) {
    fmt::print("{}\n", cli.help());
    return 0;
  }
  if (args.count("make-json-dataset")) {
    attn_bench::make_json_dataset(args["make-json-dataset"].as<std::string>(), args["megabytes"].as<double>());
    return 0;
  }
  if (args.count("json-dataset")) {
    attn_bench::time_json_dataset(args["json-dataset"].as<std::string>());
    return 0;
  }
  const int requested_threads = args["threads"].as<int>();
  attn::check(requested_threads >= 0 && requested_threads <= attn::cli::max_threads(),
              "--threads: expected 0 (the CPUs this process may use) or a count up to {}, got {}",
              attn::cli::max_threads(), requested_threads);
  // A zero-sized SGEMM takes no time and reports an infinite peak; 16384 is
  // three 1 GiB matrices, more than any CPU here needs to reach its peak.
  const int64_t matmul_size = args["matmul-size"].as<int64_t>();
  attn::check(matmul_size >= 64 && matmul_size <= 16384, "--matmul-size: expected an n from 64 to 16384, got {}",
              matmul_size);
  const int threads = attn::configure_threads(requested_threads);
  const auto device = attn::resolve_device(args["device"].as<std::string>());
  const int steps = args["steps"].as<int>();
  attn::check(steps >= 1, "--steps: expected a positive count, got {}", steps);
  if (args.count("translation")) {
    const double peak = matmul_gflops(device, args["matmul-size"].as<int64_t>());
    fmt::print("device: {}\nmatmul throughput ({}^3 SGEMM): {:.1f} GFLOP/s\n", attn::describe_device(device, threads),
               args["matmul-size"].as<int64_t>(), peak);
    attn_bench::time_translation_step(args["translation"].as<std::string>(), device, threads, steps, peak,
                                      args.count("extraction") > 0);
    return 0;
  }
  const int64_t eval_examples = args["eval-examples"].as<int64_t>();
  attn::check(eval_examples >= 0, "--eval-examples: expected a non-negative count, got {}", eval_examples);
  auto config = attn::tasks::load_copy_experiment(args["config"].as<std::string>());
  if (eval_examples > 0) config.train.eval_examples = eval_examples;
  fmt::print("device: {}\nconfig: {} (batch {}, length {}, hidden {}, {})\n", attn::describe_device(device, threads),
             args["config"].as<std::string>(), config.train.batch_size, config.data.length(), config.model.hidden_size(),
             attn::nn::architecture_name(config.model.architecture()));

  const double peak = matmul_gflops(device, args["matmul-size"].as<int64_t>());
  fmt::print("matmul throughput ({}^3 SGEMM): {:.1f} GFLOP/s\n", args["matmul-size"].as<int64_t>(), peak);

  attn::tasks::CopyTask task(config, /*seed=*/0, device);
  task.begin_stage(attn::train::Stage::kLearned);
  auto optimizer = attn::train::make_optimizer(task.model(), config.train.trainer);
  int64_t step = 0;
  const double step_seconds = median_seconds(2, steps, [&] {
    attn::train::training_step(task, optimizer, step++).item<double>();  // .item(): synchronise (CUDA)
  });
  const auto step_flops = attn::tasks::copy_training_step_flops(config);
  fmt::print("\ntraining step: {:.1f} ms  (target <= 300 ms on the 2-core CPU)\n", 1e3 * step_seconds);
  fmt::print("  model FLOPs (standard count, 3x forward): {:.1f} GFLOP -> {:.1f} GFLOP/s = {:.0f}% of matmul peak\n",
             step_flops.nominal / 1e9, step_flops.nominal / step_seconds / 1e9,
             100 * step_flops.nominal / step_seconds / 1e9 / peak);
  fmt::print("  executed FLOPs (input projection on the table): {:.1f} GFLOP -> {:.1f} GFLOP/s = {:.0f}% of peak\n",
             step_flops.executed / 1e9, step_flops.executed / step_seconds / 1e9,
             100 * step_flops.executed / step_seconds / 1e9 / peak);

  // The evaluation a run does every eval_every steps: forward pass and KTIW
  // probe over eval_examples sequences, in slices of batch_size.
  task.model().eval();
  const double eval_seconds = median_seconds(1, 3, [&] { task.run_evaluation(0, true).beta.sum().item<float>(); });
  const double forward_seconds = median_seconds(1, 3, [&] { task.run_evaluation(0, false).log_probs.sum().item<float>(); });
  const auto probe_flops = attn::tasks::copy_probe_flops(config, config.train.eval_examples);
  fmt::print("\nevaluation pass (forward + KTIW beta on {} examples): {:.1f} ms, {:.1f} GFLOP executed -> {:.1f} GFLOP/s\n",
             config.train.eval_examples, 1e3 * eval_seconds, probe_flops.executed / 1e9,
             probe_flops.executed / eval_seconds / 1e9);
  fmt::print("  of which: forward {:.1f} ms, KTIW beta {:.1f} ms\n", 1e3 * forward_seconds,
             1e3 * (eval_seconds - forward_seconds));
  const int64_t steps_per_run = config.train.trainer.steps();
  const int64_t evals_per_run = steps_per_run / config.train.trainer.eval_every() + 1;
  fmt::print("\none run of this config: {} steps + {} evaluations = {:.1f} s of compute at these threads\n",
             steps_per_run, evals_per_run, steps_per_run * step_seconds + evals_per_run * eval_seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  attn::ensure_fast_runtime(argc, argv);
  return attn::run_app("attn-bench", [&] { return app_main(argc, argv); });
}
