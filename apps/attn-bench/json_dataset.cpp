// attn-bench's JSON data set modes (see json_dataset.h).
#include "json_dataset.h"

#include <sys/resource.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <string>

#include "attn/core/error.h"
#include "attn/data/text_dataset.h"

namespace attn_bench {

namespace fs = std::filesystem;

namespace {

double peak_rss_mb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// User + system CPU seconds of this process: on a busy machine the wall time
// also counts the time other processes had the cores.
double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

void make_json_dataset(const fs::path& path, double megabytes) {
  attn::check(megabytes > 0 && megabytes <= 4096, "--megabytes: expected a size in (0, 4096], got {}", megabytes);
  // As the paper's preprocessing writes it (Python json.dump): specials first,
  // then the words by frequency; each example <bos> w1 .. wn <eos>, lengths and
  // word frequencies roughly like IMDB reviews (mean ~230 tokens, Zipf-like ids).
  constexpr int kWords = 20000;
  std::string out = R"({"vocab": ["<pad>", "<bos>", "<eos>", "<unk>")";
  for (int w = 0; w < kWords; ++w) out += fmt::format(R"(, "word{}")", w);
  out += R"(], "XY": [)";
  const auto target = static_cast<size_t>(megabytes * 1e6);
  std::mt19937_64 rng(14);
  std::lognormal_distribution<double> length(5.2, 0.6);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int64_t i = 0; out.size() < target; ++i) {
    const int n = std::clamp(static_cast<int>(length(rng)), 5, 2000);
    out += i == 0 ? "[[1" : ", [[1";
    for (int t = 0; t < n; ++t) {
      const auto id = 4 + static_cast<int>(kWords * std::pow(uniform(rng), 3.0));
      out += fmt::format(", {}", std::min(id, 4 + kWords - 1));
    }
    out += fmt::format(", 2], {}]", i % 2);
  }
  out += "]}";
  std::ofstream(path, std::ios::binary) << out;
  attn::check(fs::file_size(path) == out.size(), "{}: could not write the data set", path.string());
  fmt::print("wrote {} ({:.1f} MB)\n", path.string(), static_cast<double>(out.size()) / 1e6);
}

void time_json_dataset(const fs::path& path) {
  attn::check(fs::is_regular_file(path), "--json-dataset: {}: file not found", path.string());
  const double size_mb = static_cast<double>(fs::file_size(path)) / 1e6;
  const double rss_before = peak_rss_mb();
  const double cpu_before = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  const auto data = attn::data::read_json_dataset(path);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_before;
  const double rss_peak = peak_rss_mb();
  int64_t tokens = 0;
  for (const auto& e : data.examples) tokens += static_cast<int64_t>(e.tokens.size());
  fmt::print("read_json_dataset: {} ({:.1f} MB): {} examples, {} tokens, vocabulary {}\n", path.string(), size_mb,
             data.size(), tokens, data.vocab.size());
  fmt::print("  {:.2f} s wall, {:.2f} s CPU; peak RSS {:.0f} MB, of which the read {:.0f} MB "
             "(the process held {:.0f} MB before it, LibTorch loaded)\n"
             "  (target for 29 MB: under 2 s and under 300 MB)\n",
             seconds, cpu, rss_peak, rss_peak - rss_before, rss_before);
}

}  // namespace attn_bench
