// Run records (see attn/io/run_record.h).
#include "attn/io/run_record.h"

#include <dlfcn.h>
#include <unistd.h>

#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/Device.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "attn/core/error.h"
#include "attn/core/runtime.h"
#include "attn/io/files.h"
#include "attn/version.h"
#include "io/json.h"

extern char** environ;

namespace attn::io {
namespace {

// run.json's started_utc, for strftime and strptime.
constexpr const char* kUtcFormat = "%Y-%m-%dT%H:%M:%SZ";

// Environment variables that change a run's results or speed: OpenMP and BLAS
// threading and kernels, which GPU, cuBLAS determinism.
constexpr const char* kRecordedPrefixes[] = {"OMP_", "OPENBLAS_", "MKL_"};
constexpr const char* kRecordedNames[] = {"CUDA_VISIBLE_DEVICES", "CUBLAS_WORKSPACE_CONFIG", "ATTN_RECURRENCE"};

// The device a describe_device() text names ("cuda:0 (1 CUDA devices)"), if any.
std::optional<c10::Device> described_device(const std::string& description) {
  try {
    return c10::Device(description.substr(0, description.find(' ')));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The GPU's name from the CUDA driver API (libcuda, loaded by any CUDA
// LibTorch that has run on the GPU), so that CPU builds need no CUDA headers.
std::string gpu_name(int index) {
  void* cuda = ::dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
  if (cuda == nullptr) cuda = ::dlopen("libcuda.so.1", RTLD_LAZY);
  if (cuda == nullptr) return "unknown";
  using Init = int (*)(unsigned);
  using DeviceGet = int (*)(int*, int);
  using DeviceGetName = int (*)(char*, int, int);
  auto init = reinterpret_cast<Init>(::dlsym(cuda, "cuInit"));
  auto device_get = reinterpret_cast<DeviceGet>(::dlsym(cuda, "cuDeviceGet"));
  auto device_get_name = reinterpret_cast<DeviceGetName>(::dlsym(cuda, "cuDeviceGetName"));
  char name[256] = {0};
  int device = 0;
  std::string result = "unknown";
  if (init && device_get && device_get_name && init(0) == 0 && device_get(&device, index) == 0 &&
      device_get_name(name, sizeof(name) - 1, device) == 0)
    result = name;
  ::dlclose(cuda);
  return result;
}

// {"runtime", "cudnn", "gpu"} for a CUDA device; null otherwise.
json::Value cuda_record(const std::string& device_description) {
  const auto device = described_device(device_description);
  if (!device || !device->is_cuda()) return nullptr;
  json::Value cuda = json::Value::object();
  const auto& hooks = at::detail::getCUDAHooks();
  try {
    const long runtime = hooks.versionCUDART();  // e.g. 12010
    cuda["runtime"] = fmt::format("{}.{}", runtime / 1000, runtime % 1000 / 10);
  } catch (const std::exception&) {
    cuda["runtime"] = nullptr;
  }
  try {
    const long cudnn = hooks.hasCuDNN() ? hooks.versionCuDNN() : -1;  // 8902 = 8.9.2; 90100 = 9.1.0
    if (cudnn < 0) cuda["cudnn"] = nullptr;
    else if (cudnn >= 90000) cuda["cudnn"] = fmt::format("{}.{}.{}", cudnn / 10000, cudnn % 10000 / 100, cudnn % 100);
    else cuda["cudnn"] = fmt::format("{}.{}.{}", cudnn / 1000, cudnn % 1000 / 100, cudnn % 100);
  } catch (const std::exception&) {
    cuda["cudnn"] = nullptr;
  }
  int index = device->has_index() ? device->index() : 0;
  if (!device->has_index()) {
    try {
      index = static_cast<int>(std::max<int64_t>(0, hooks.current_device()));
    } catch (const std::exception&) {
    }
  }
  cuda["gpu"] = gpu_name(index);
  cuda["tf32"] = at::globalContext().allowTF32CuBLAS() || at::globalContext().allowTF32CuDNN();
  return cuda;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> recorded_environment() {
  std::vector<std::pair<std::string, std::string>> variables;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const size_t equals = text.find('=');
    if (equals == std::string::npos) continue;
    const std::string name = text.substr(0, equals);
    bool recorded = std::find(std::begin(kRecordedNames), std::end(kRecordedNames), name) != std::end(kRecordedNames);
    for (const char* prefix : kRecordedPrefixes) recorded = recorded || name.rfind(prefix, 0) == 0;
    if (recorded) variables.emplace_back(name, text.substr(equals + 1));
  }
  std::sort(variables.begin(), variables.end());
  return variables;
}

void write_run_record(const std::filesystem::path& dir, const RunRecord& record) {
  write_file_atomic(dir / "config.yaml", record.config_yaml);
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  const std::time_t now = std::time(nullptr);
  char when[64];
  std::strftime(when, sizeof(when), kUtcFormat, std::gmtime(&now));
  const bool commit_known = std::strcmp(kGitCommit, "unknown") != 0;
  json::Value environment = json::Value::object();
  for (const auto& [name, value] : recorded_environment()) environment[name] = value;
  json::Value run = {
      {"experiment", record.experiment},
      {"seed", record.seed},
      {"libattn_version", kVersion},
      {"device", record.device},
      {"threads", record.threads},
      {"blas_core", blas_info().corename},
      {"command_line", record.command_line},
      {"host", host},
      {"started_utc", when},
      {"libattn_commit", kGitCommit},
      {"libattn_dirty", commit_known ? json::Value(kGitDirty) : json::Value(nullptr)},
      {"libtorch_version", TORCH_VERSION},
      {"cuda", cuda_record(record.device)},
      {"overrides", record.overrides},
      {"environment", environment},
      {"recurrence", record.recurrence.empty() ? json::Value(nullptr) : json::Value(record.recurrence)},
      {"batched_runs", record.batched_runs.empty() ? json::Value(nullptr) : json::Value(record.batched_runs)},
  };
  write_file_atomic(dir / "run.json", json::to_text(run));
}

std::string recorded_config(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir / "config.yaml")) return "";
  return read_text_file(dir / "config.yaml");
}

double recorded_start(const std::filesystem::path& dir) {
  const auto record = dir / "run.json";
  check(std::filesystem::exists(record), "{}: missing (a finished run records its start there)", record.string());
  const json::Value run = json::parse(read_text_file(record), record.string());
  check(run.is_object() && run.contains("started_utc") && run["started_utc"].is_string(),
        "{}: expected a \"started_utc\" field", record.string());
  const std::string text = run["started_utc"].get<std::string>();
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), kUtcFormat, &tm);
  check(end != nullptr && *end == '\0', "{}: started_utc: expected YYYY-MM-DDTHH:MM:SSZ, got '{}'", record.string(),
        text);
  return static_cast<double>(::timegm(&tm));
}

void write_done_marker(const std::filesystem::path& dir, double seconds) {
  write_file_atomic(dir / kDoneMarker, fmt::format("{:.1f} s\n", seconds));
}

bool run_done(const std::filesystem::path& dir) { return std::filesystem::exists(dir / kDoneMarker); }

std::optional<double> recorded_seconds(const std::filesystem::path& dir) {
  if (!run_done(dir)) return std::nullopt;
  const auto done = dir / kDoneMarker;
  const std::string marker = read_text_file(done);  // "213.3 s\n"
  double seconds = 0;
  size_t used = 0;
  try {
    seconds = std::stod(marker, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  check(used > 0 && seconds >= 0 && marker.compare(used, 2, " s") == 0, "{}: expected '<seconds> s', got '{}'",
        done.string(), marker.substr(0, marker.find('\n')));
  return seconds;
}

}  // namespace attn::io
