// attn-bench --translation (see translation_bench.h).
#include "translation_bench.h"

#include <fmt/format.h>

#include <torch/csrc/autograd/profiler_legacy.h>

#include <chrono>
#include <cstdlib>
#include <memory>

#include "attn/core/error.h"
#include "attn/data/translation_batch.h"
#include "attn/probes/ktiw.h"
#include "attn/probes/translation_influence.h"
#include "attn/tasks/translation_config.h"
#include "attn/tasks/translation_data.h"
#include "attn/tasks/translation_flops.h"
#include "attn/tasks/translation_task.h"
#include "attn/train/two_stage_trainer.h"

namespace attn_bench {

namespace {
// The authors' PyTorch model (PAPER.md 2.2 in Debian's python3-torch 1.13,
// OpenBLAS, glibc malloc tuned to keep freed memory), 16 random gettext
// pairs per step, on the two CPU kinds these machines have been: an AVX-512
// one (issue 15) and a 2-core AMD EPYC without AVX-512 (session 11,
// docs/translation.md). Both are printed; the one matching this CPU is marked.
struct AuthorsReference {
  const char* cpu;
  double ms_1_thread, ms_2_threads;
};
constexpr AuthorsReference kAuthorsAvx512{"AVX-512 CPU", 196, 214};
constexpr AuthorsReference kAuthorsAvx2{"AVX2 CPU (AMD EPYC, no AVX-512)", 544, 1118};

struct ExtractionSeconds {
  double probes = 0;     ///< alpha and beta: one eval forward per batch plus the batched KTIW probe
  double influence = 0;  ///< Delta: forward and one backward per target step, batched
};

/// Probe and Delta extraction over the whole validation set, in the
/// analysis's length-sorted batches of `analysis.chunk` sentences.
ExtractionSeconds time_extraction(attn::tasks::TranslationTask& task, const attn::tasks::TranslationConfig& config,
                                  const attn::tasks::TranslationData& data, const c10::Device& device) {
  using Clock = std::chrono::steady_clock;
  auto& model = task.translation_model();
  model.eval();
  ExtractionSeconds seconds;
  const auto batches = attn::data::length_sorted_batches(data.valid, static_cast<int64_t>(data.valid.size()),
                                                         config.analysis.chunk);
  for (const auto& rows : batches) {
    auto batch = attn::data::make_translation_batch(data.valid, rows).to(device);
    auto start = Clock::now();
    {
      torch::NoGradGuard no_grad;
      auto forward = model.forward(batch.source, batch.source_mask, batch.target_in);
      auto beta = attn::probes::ktiw_beta(model, forward, batch.target_out, batch.source_mask);
      (void)forward.attention.sum().item<double>();  // synchronise (CUDA)
      (void)beta.narrow(0, 0, 1).sum().item<double>();
    }
    auto middle = Clock::now();
    (void)attn::probes::translation_influence(model, batch).sum().item<double>();
    seconds.probes += std::chrono::duration<double>(middle - start).count();
    seconds.influence += std::chrono::duration<double>(Clock::now() - middle).count();
  }
  model.train();
  return seconds;
}
}  // namespace

void time_translation_step(const std::string& config_path, const c10::Device& device, int threads, int steps,
                           double sgemm_gflops, bool extraction) {
  attn::check(steps >= 1, "--steps: expected a positive count, got {}", steps);
  const auto config = attn::tasks::load_translation_config(config_path);
  const auto corpus = attn::tasks::read_translation_corpus(config);
  const auto vocabulary = attn::tasks::translation_vocabulary(config, corpus, config.vocabulary_cache);
  const auto data = attn::tasks::encode_translation_data(corpus, vocabulary.vocabulary);
  fmt::print("config: {} ({})\n", config_path, data.describe());
  attn::tasks::TranslationTask task(config, data, /*seed=*/20, device);
  task.begin_stage(attn::train::Stage::kLearned);
  task.model().train();
  auto optimizer = attn::train::make_optimizer(task.model(), config.train.trainer);
  using Clock = std::chrono::steady_clock;
  for (int64_t step = 0; step < 3; ++step) attn::train::training_step(task, optimizer, step).item<double>();
  // ATTN_PROFILE=<file>: a chrome://tracing trace of the timed steps (LibTorch's profiler).
  std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
  if (const char* trace = std::getenv("ATTN_PROFILE")) profile = std::make_unique<torch::autograd::profiler::RecordProfile>(trace);
  double seconds = 0, real = 0, padded = 0, tokens = 0;
  for (int64_t step = 3; step < 3 + steps; ++step) {
    const auto batch = attn::data::make_translation_batch(data.train, task.batch_indices(step));
    const auto flops = attn::tasks::translation_step_flops(config.model_options(data.vocabulary_size()), batch);
    real += flops.real;
    padded += flops.padded;
    tokens += static_cast<double>(batch.target_tokens());
    const auto start = Clock::now();
    attn::train::training_step(task, optimizer, step).item<double>();  // .item(): synchronise (CUDA)
    seconds += std::chrono::duration<double>(Clock::now() - start).count();
  }
  profile.reset();
  const double ms = 1e3 * seconds / steps;
  fmt::print("\ntranslation training step (batch {}, {:.0f} target tokens on average): {:.1f} ms\n",
             config.train.batch_size, tokens / steps, ms);
  fmt::print("  FLOPs on real tokens (3x forward): {:.2f} GFLOP -> {:.1f} GFLOP/s = {:.0f}% of the SGEMM\n",
             real / steps / 1e9, real / seconds / 1e9, 100 * real / seconds / 1e9 / sgemm_gflops);
  fmt::print("  FLOPs as a padded decoder and output layer count them: {:.2f} GFLOP\n", padded / steps / 1e9);
  // Issue 15: extraction on the validation set must take less than one epoch.
  if (extraction) {
    const auto seconds = time_extraction(task, config, data, device);
    const int64_t batch_size = config.train.batch_size;
    const auto epoch_steps = (static_cast<int64_t>(data.train.size()) + batch_size - 1) / batch_size;
    const double epoch_seconds = static_cast<double>(epoch_steps) * ms / 1e3;
    fmt::print("  extraction on the validation set ({} pairs): alpha + beta {:.1f} s, Delta {:.1f} s, together "
               "{:.1f} s = {:.2f} of one training epoch ({} steps at this rate: {:.0f} s)\n",
               data.valid.size(), seconds.probes, seconds.influence, seconds.probes + seconds.influence,
               (seconds.probes + seconds.influence) / epoch_seconds, epoch_steps, epoch_seconds);
  }
  if (!device.is_cuda() && threads <= 2) {
    const bool avx512 = __builtin_cpu_supports("avx512f");
    for (const auto& reference : {kAuthorsAvx512, kAuthorsAvx2}) {
      const double authors = threads >= 2 ? reference.ms_2_threads : reference.ms_1_thread;
      const bool this_cpu = avx512 == (reference.cpu == kAuthorsAvx512.cpu);
      fmt::print("  the authors' PyTorch model on an {}: {:.0f} ms at {} thread(s) -> {:.2f}x faster{}\n",
                 reference.cpu, authors, threads >= 2 ? 2 : 1, authors / ms,
                 this_cpu ? " (this CPU's kind; target >= 2x, goal 3x)" : "");
    }
  }
}

}  // namespace attn_bench
