// R copy models of one architecture trained as one batched model (issue 17
// point 4): the teacher-forced forward of PAPER.md 2.1 (CopySeq2Seq) or 2.4
// (MultiHeadCopy) for R independent runs at once, with batched matmuls.
//
// Why the parameters stay in the R models: each run keeps its own modules,
// so its optimiser state, checkpoints, snapshots and evaluation are exactly
// those of a separate run (and the same seed initialises it identically).
// The forward stacks the R runs' parameters into [R, ...] tensors (torch::stack:
// one copy of ~1.6 M floats per run and step, small next to the step's
// recurrences) and runs every product as one bmm/baddbmm over R. The
// backward of the stack hands each run exactly the gradient of its own
// loss: runs share no parameters, so d(sum_r loss_r)/d theta_r = d loss_r / d theta_r.
//
// Uniform attention is per run: a run in its uniform stage does not put its
// query parameters into the stack at all, so (as when trained alone) they
// get no gradient, not a zero one (Adam treats the two differently).
//
// Results equal R separate forwards up to float summation order (batched
// products sum in another order); tests/test_batched_runs.cpp compares.
//
// Legend: R = runs, B = batch per run, S = source positions, T = target steps,
// V = vocabulary, H = heads, D = hidden size, K = encoder state size.
#pragma once

#include <torch/types.h>

#include <memory>
#include <vector>

#include "attn/nn/seq2seq.h"

namespace attn::nn {

struct BatchedCopyOutput {
  torch::Tensor log_probs;  // (R, B, T, V)
};

/// The forward of `models` (R >= 1 copy models of one architecture and
/// shape: CopySeq2Seq or MultiHeadCopy, as make_copy_model builds them) on
/// run r's batch in row r: source (R, B, S) ids, source_mask (R, B, S) bool,
/// target_in (R, B, T) ids. Each model's uniform_attention() applies to its
/// run. Throws attn::Error for mixed or unknown architectures or shapes.
BatchedCopyOutput batched_copy_forward(const std::vector<Seq2SeqModel*>& models, const torch::Tensor& source,
                                       const torch::Tensor& source_mask, const torch::Tensor& target_in);

/// Each run's mean NLL over its B x T targets: log_probs (R, B, T, V),
/// target_out (R, B, T) -> (R). The sum's gradient is each run's own.
torch::Tensor per_run_nll(const torch::Tensor& log_probs, const torch::Tensor& target_out);

}  // namespace attn::nn
