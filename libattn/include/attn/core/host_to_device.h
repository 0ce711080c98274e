// Moving a batch built on the host to the run's device without stopping the
// host: on CUDA the tensor is pinned (page-locked, from LibTorch's caching
// host allocator) and copied asynchronously, so the next batch can be built
// while the GPU still works on this one; on the CPU it is the tensor itself.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace attn {

/// `host` (a CPU tensor) on `device`. Safe to let `host` go right away: the
/// pinned block is not reused before the copy has finished.
at::Tensor to_device(const at::Tensor& host, const c10::Device& device);

}  // namespace attn
