// Process-level set-up every app does first: a fast BLAS kernel, the number of
// intra-op threads, and the device. See README "Performance" for why the BLAS
// check exists (Debian's OpenBLAS misdetects some AVX-512 CPUs as "Prescott").
#pragma once

#include <c10/core/Device.h>

#include <functional>
#include <string>

namespace attn {

/// What the BLAS library reports about itself (empty when it is not OpenBLAS).
struct BlasInfo {
  std::string corename;  ///< openblas_get_corename(), e.g. "Haswell", "Prescott"
  std::string config;    ///< openblas_get_config()
};

BlasInfo blas_info();

/// Call first in main(). Makes sure the process runs with fast settings,
/// re-executing the program once (which never returns) when one must be set
/// through the environment before the libraries load:
/// - OpenBLAS kernel: when OpenBLAS reports a generic core ("Prescott",
///   "Core2", ...) on a CPU with AVX-512 or AVX2 and OPENBLAS_CORETYPE is not
///   set, sets it (SKYLAKEX or HASWELL). Set OPENBLAS_CORETYPE to override.
/// - OMP_WAIT_POLICY=PASSIVE unless set: idle OpenMP threads sleep instead of
///   spinning. Between the many small GEMMs of a recurrence the spinning
///   thread slowed a 2-thread copy step from ~210 ms to 460-1400 ms here.
/// Prints one log line with the kernel and the wait policy in use.
void ensure_fast_runtime(int argc, char** argv);

/// The CPUs this process may run on (its affinity mask: what taskset or a
/// batch scheduler grants), not all the machine's cores.
int usable_cpus();

/// Sets LibTorch's intra-op threads: `requested` > 0 as given, 0 =
/// usable_cpus(). Returns the number in use.
int configure_threads(int requested);

/// Resolves "auto" | "cpu" | "cuda" | "cuda:N". Throws attn::Error naming the
/// --device flag when CUDA is asked for but none is available.
c10::Device resolve_device(const std::string& name);

/// "cpu (2 threads, OpenBLAS SkylakeX)" or "cuda:0 (NVIDIA H100 ...)".
std::string describe_device(const c10::Device& device, int threads);

/// Keeps freed tensor memory in the process (glibc): by default blocks over
/// 128 KB go back to the OS when freed and every training step faults its
/// ~200 MB of activations in again (~4% of a copy-task step here). Blocks up
/// to 32 MB (glibc's limit) now come from the heap, which is not trimmed.
void keep_freed_memory();

/// Runs an app's main body: attn::Error and bad flags become a one-line
/// "<program>: error: ..." on stderr and exit code 2; returns body's code.
/// Calls keep_freed_memory() first.
int run_app(const char* program, const std::function<int()>& body);

}  // namespace attn
