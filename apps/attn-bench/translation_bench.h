// attn-bench --translation: the translation training step (PAPER.md 2.2) on
// real batches of 16 pairs of the configured corpus.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace attn_bench {

/// Times `steps` training steps (after 3 warm-up steps) of the config's model
/// on the batches a run draws, and prints ms/step, GFLOP/s and the fraction
/// of `sgemm_gflops`, next to the authors' reference times. With
/// `extraction`, also times alpha + beta and Delta over the whole validation
/// set against one training epoch at the measured rate.
void time_translation_step(const std::string& config_path, const c10::Device& device, int threads, int steps,
                           double sgemm_gflops, bool extraction);

}  // namespace attn_bench
