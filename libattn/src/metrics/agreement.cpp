// Agreement metrics (see attn/metrics/agreement.h).
#include "attn/metrics/agreement.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <limits>
#include <random>

#include "attn/core/error.h"
#include "attn/core/seeded_random.h"

namespace attn::metrics {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int sign(double v) { return (v > 0) - (v < 0); }

void check_pair(const std::vector<double>& x, const std::vector<double>& y, const char* what) {
  check(x.size() == y.size(), "{}: x has {} positions but y has {}", what, x.size(), y.size());
  for (size_t j = 0; j < x.size(); ++j)
    check(!std::isnan(x[j]) && !std::isnan(y[j]), "{}: NaN score at position {}", what, j);
}

// x, y, mask as (N, L) CPU tensors: doubles and bools.
struct Flat {
  torch::Tensor x, y, mask;
  int64_t N = 0, L = 0;
};

Flat flatten(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& mask, const char* what) {
  check(x.defined() && y.defined() && mask.defined(), "{}: x, y and mask must all be given", what);
  check(x.dim() >= 1, "{}: expected scores shaped (..., L), got a scalar", what);
  check(x.sizes() == y.sizes(), "{}: x is {} but y is {}; expected the same shape", what,
        fmt::format("{}", fmt::join(x.sizes(), "x")), fmt::format("{}", fmt::join(y.sizes(), "x")));
  Flat f;
  f.L = x.size(-1);
  torch::Tensor m;
  try {
    m = mask.to(torch::kCPU).to(torch::kBool).expand(x.sizes());
  } catch (const c10::Error&) {
    throw Error(fmt::format("{}: mask {} does not broadcast to scores {}", what,
                            fmt::format("{}", fmt::join(mask.sizes(), "x")),
                            fmt::format("{}", fmt::join(x.sizes(), "x"))));
  }
  f.x = x.detach().to(torch::kCPU, torch::kFloat64).reshape({-1, f.L}).contiguous();  // (N, L)
  f.y = y.detach().to(torch::kCPU, torch::kFloat64).reshape({-1, f.L}).contiguous();  // (N, L)
  f.mask = m.reshape({-1, f.L}).contiguous();                                          // (N, L)
  f.N = f.x.size(0);
  return f;
}

// The valid positions of pair i, in order.
void gather(const Flat& f, int64_t i, std::vector<double>& xs, std::vector<double>& ys) {
  const double* x = f.x.data_ptr<double>() + i * f.L;
  const double* y = f.y.data_ptr<double>() + i * f.L;
  const bool* m = f.mask.data_ptr<bool>() + i * f.L;
  xs.clear();
  ys.clear();
  for (int64_t j = 0; j < f.L; ++j)
    if (m[j]) {
      xs.push_back(x[j]);
      ys.push_back(y[j]);
    }
}

PairScores summarize(torch::Tensor values) {
  PairScores out;
  const double* v = values.data_ptr<double>();
  double sum = 0.0;
  for (int64_t i = 0; i < values.size(0); ++i)
    if (!std::isnan(v[i])) {
      sum += v[i];
      ++out.count;
    }
  out.mean = out.count > 0 ? sum / static_cast<double>(out.count) : kNaN;
  out.values = std::move(values);
  return out;
}

double statistic_of(Statistic statistic, const std::vector<double>& x, const std::vector<double>& y,
                    double percent) {
  return statistic == Statistic::kTopPercentMatch ? top_percent_match(x, y, percent) : kendall_tau_b(x, y);
}

// Applies `per_pair` to the valid positions of every pair; NaN for empty pairs.
template <typename Fn>
PairScores per_pair_scores(const Flat& f, Fn&& per_pair) {
  torch::Tensor values = torch::full({f.N}, kNaN, torch::kFloat64);  // (N)
  double* v = values.data_ptr<double>();
  std::vector<double> xs, ys;
  for (int64_t i = 0; i < f.N; ++i) {
    gather(f, i, xs, ys);
    if (!xs.empty()) v[i] = per_pair(xs, ys);
  }
  return summarize(std::move(values));
}

}  // namespace

torch::Tensor mask_from_lengths(const torch::Tensor& lengths, int64_t max_length) {
  check(lengths.dim() == 1, "mask_from_lengths: expected lengths shaped (N), got {} dimensions",
        lengths.dim());
  const torch::Tensor positions = torch::arange(max_length, torch::kInt64).unsqueeze(0);  // (1, L)
  return positions < lengths.to(torch::kCPU, torch::kInt64).unsqueeze(1);                 // (N, L)
}

int64_t top_percent_size(int64_t n, double percent) {
  check(percent > 0.0 && percent <= 100.0, "top-p% match: expected p in (0, 100], got {}", percent);
  check(n >= 1, "top-p% match: expected at least one position, got {}", n);
  // The small tolerance keeps exact products (p n = 100 m) from rounding up.
  const auto k = static_cast<int64_t>(std::ceil(percent * static_cast<double>(n) / 100.0 - 1e-9));
  return std::max<int64_t>(k, 1);
}

double top_percent_match(const std::vector<double>& x, const std::vector<double>& y, double percent) {
  check_pair(x, y, "top-p% match");
  const int64_t n = static_cast<int64_t>(x.size());
  const int64_t k = top_percent_size(n, percent);
  size_t a = 0;  // argmax x, first index on ties
  for (size_t j = 1; j < x.size(); ++j)
    if (x[j] > x[a]) a = j;
  int64_t above = 0;  // positions that y ranks strictly higher than x's choice
  for (double v : y)
    if (v > y[a]) ++above;
  return above < k ? 1.0 : 0.0;
}

double kendall_tau_b(const std::vector<double>& x, const std::vector<double>& y) {
  check_pair(x, y, "Kendall tau");
  const size_t n = x.size();
  // O(n^2) over position pairs: plenty fast for sentence/review lengths.
  int64_t score = 0, untied_x = 0, untied_y = 0;  // n_c - n_d, n_0 - n_x, n_0 - n_y
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      const int sx = sign(x[i] - x[j]), sy = sign(y[i] - y[j]);
      score += sx * sy;
      untied_x += sx != 0;
      untied_y += sy != 0;
    }
  if (untied_x == 0 || untied_y == 0) return kNaN;
  return static_cast<double>(score) /
         std::sqrt(static_cast<double>(untied_x) * static_cast<double>(untied_y));
}

PairScores top_percent_match(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& mask,
                             double percent) {
  top_percent_size(1, percent);  // rejects a bad p even when every pair is empty
  const Flat f = flatten(x, y, mask, "top-p% match");
  return per_pair_scores(f, [&](const auto& xs, const auto& ys) { return top_percent_match(xs, ys, percent); });
}

PairScores kendall_tau_b(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& mask) {
  const Flat f = flatten(x, y, mask, "Kendall tau");
  return per_pair_scores(f, [](const auto& xs, const auto& ys) { return kendall_tau_b(xs, ys); });
}

PairScores shuffled_baseline(Statistic statistic, const torch::Tensor& x, const torch::Tensor& y,
                             const torch::Tensor& mask, const ShuffleOptions& options) {
  check(options.repeats() >= 1, "shuffled baseline: expected repeats >= 1, got {}", options.repeats());
  if (statistic == Statistic::kTopPercentMatch) top_percent_size(1, options.percent());
  const Flat f = flatten(x, y, mask, "shuffled baseline");
  std::mt19937_64 rng(options.seed());
  return per_pair_scores(f, [&](const std::vector<double>& xs, std::vector<double> ys) {
    double sum = 0.0;
    int64_t defined = 0;
    for (int64_t r = 0; r < options.repeats(); ++r) {
      shuffle_in_place(ys, rng);
      const double value = statistic_of(statistic, xs, ys, options.percent());
      if (!std::isnan(value)) {
        sum += value;
        ++defined;
      }
    }
    return defined > 0 ? sum / static_cast<double>(defined) : kNaN;
  });
}

}  // namespace attn::metrics
