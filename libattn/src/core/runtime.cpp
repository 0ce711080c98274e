// Process-level set-up: BLAS kernel check, threads, device (see attn/core/runtime.h).
#include "attn/core/runtime.h"

#include <ATen/Context.h>

#include <dlfcn.h>
#include <sys/prctl.h>
#include <malloc.h>
#include <sched.h>
#include <unistd.h>

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <cxxabi.h>
#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "attn/core/error.h"
#include "attn/core/interrupt.h"

namespace attn {

namespace {

template <typename Fn>
Fn find_symbol(const char* name) {
  return reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, name));
}

bool is_generic_core(const std::string& core) {
  // OpenBLAS's names for pre-AVX kernels, which it falls back to when it does
  // not recognise a CPU (e.g. AMD Zen 4 in 0.3.21).
  for (const char* generic : {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom",
                              "Katmai", "Coppermine", "Northwood", "Banias", "Generic", "Opteron",
                              "Barcelona", "Opteron_SSE3", "Athlon"})
    if (core == generic) return true;
  return false;
}

}  // namespace

BlasInfo blas_info() {
  BlasInfo info;
  if (auto corename = find_symbol<char* (*)()>("openblas_get_corename")) info.corename = corename();
  if (auto config = find_symbol<char* (*)()>("openblas_get_config")) info.config = config();
  return info;
}

void ensure_fast_runtime(int argc, char** argv) {
  bool reexec = false;
  std::string wait_policy;
  if (const char* policy = std::getenv("OMP_WAIT_POLICY")) {
    wait_policy = policy;
  } else {
    // libgomp reads this once, when it is loaded: only a re-exec applies it.
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    reexec = true;
  }
  const BlasInfo info = blas_info();
  std::string blas = "not OpenBLAS";
  if (!info.corename.empty()) {
    blas = "OpenBLAS kernel: " + info.corename;
    if (const char* forced = std::getenv("OPENBLAS_CORETYPE")) {
      blas += fmt::format(" (OPENBLAS_CORETYPE={})", forced);
    } else if (is_generic_core(info.corename)) {
      __builtin_cpu_init();
      const char* better = __builtin_cpu_supports("avx512f") ? "SKYLAKEX"
                           : __builtin_cpu_supports("avx2")  ? "HASWELL"
                                                             : nullptr;
      if (better == nullptr) {
        blas += " (no AVX2 on this CPU; generic kernels)";
      } else {
        fmt::print(stderr,
                   "[attn] OpenBLAS detected generic core '{}' on a CPU with {}; re-running with "
                   "OPENBLAS_CORETYPE={} (set OPENBLAS_CORETYPE yourself to override)\n",
                   info.corename, std::strcmp(better, "SKYLAKEX") == 0 ? "AVX-512" : "AVX2", better);
        ::setenv("OPENBLAS_CORETYPE", better, 1);
        reexec = true;
      }
    }
  }
  if (reexec) {
    ::execv("/proc/self/exe", argv);
    // exec failed: carry on as we are rather than stop the run.
    fmt::print(stderr, "[attn] warning: re-exec failed ({}); continuing with the settings loaded\n",
               std::strerror(errno));
  }
  fmt::print(stderr, "[attn] {}; OMP_WAIT_POLICY={}\n", blas, wait_policy.empty() ? "PASSIVE" : wait_policy);
}

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int configure_threads(int requested) {
  check(requested >= 0, "--threads: expected 0 (the CPUs this process may use) or a positive count, got {}",
        requested);
  const int threads = requested > 0 ? requested : usable_cpus();
  at::set_num_threads(threads);
  return at::get_num_threads();
}

namespace {

// float32 on a GPU as on the CPU: TF32 (cuDNN's default for its RNNs and
// convolutions) rounds matmul inputs to 10-bit mantissas, which would make
// GPU runs a different experiment from CPU ones. run.json records the setting.
void use_full_float_precision() {
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
}

}  // namespace

c10::Device resolve_device(const std::string& name) {
  if (name == "auto") {
    if (!torch::cuda::is_available()) return c10::Device(c10::kCPU);
    use_full_float_precision();
    return c10::Device(c10::kCUDA, 0);
  }
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name.rfind("cuda", 0) == 0) {
    check(torch::cuda::is_available(),
          "--device {}: no CUDA device is available (LibTorch built without CUDA, or no GPU "
          "visible); use --device cpu, or build against a CUDA LibTorch (docs/cuda.md)",
          name);
    try {
      c10::Device device(name);
      check(device.index() < static_cast<int>(torch::cuda::device_count()),
            "--device {}: only {} CUDA device(s) present", name, torch::cuda::device_count());
      use_full_float_precision();
      return device;
    } catch (const c10::Error&) {
      throw Error(fmt::format("--device: expected auto, cpu, cuda or cuda:N, got '{}'", name));
    }
  }
  throw Error(fmt::format("--device: expected auto, cpu, cuda or cuda:N, got '{}'", name));
}

std::string describe_device(const c10::Device& device, int threads) {
  if (device.is_cuda()) return fmt::format("{} ({} CUDA devices)", device.str(), torch::cuda::device_count());
  const BlasInfo info = blas_info();
  return fmt::format("cpu ({} threads{})", threads,
                     info.corename.empty() ? "" : ", OpenBLAS " + info.corename);
}

void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
#endif
}

namespace {

// A worker process (io/process_pool.h sets ATTN_WORKER_PARENT) gets SIGTERM
// when its parent dies, however it dies (kill -9 included): it then
// checkpoints and exits like any interrupted run instead of training on as
// an orphan beside a later --resume.
void die_with_parent_worker() {
  const char* parent = std::getenv("ATTN_WORKER_PARENT");
  if (parent == nullptr) return;
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  // The parent may have died before prctl: then this process was reparented.
  if (std::to_string(::getppid()) != parent) std::raise(SIGTERM);
}

}  // namespace

int run_app(const char* program, const std::function<int()>& body) {
  keep_freed_memory();
  ignore_file_size_signal();
  die_with_parent_worker();
  try {
    return body();
  } catch (const Interrupted& e) {
    fmt::print(stderr, "{}: interrupted: {}; continue with --resume\n", program, e.what());
    return kInterruptedExit;
  } catch (const Error& e) {
    fmt::print(stderr, "{}: error: {}\n", program, e.what());
  } catch (const c10::Error& e) {
    fmt::print(stderr, "{}: error: {}\n", program, e.what_without_backtrace());
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: error: {}\n", program, e.what());
  }
  return 2;
}

}  // namespace attn
