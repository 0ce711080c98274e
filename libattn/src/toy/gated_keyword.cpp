// Gated keyword toy: loss, analytic gradient, RK4 gradient flow and trajectory
// summary (see attn/toy/gated_keyword.h for the model and PAPER.md §1 for the
// two-stage story it illustrates).
#include "attn/toy/gated_keyword.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "attn/core/error.h"

namespace attn::toy {

namespace {

// The integrator's coordinates: (beta_0, beta_1, a) with p = sigmoid(a), so p
// can never leave (0, 1) however large the step.
using Coords = std::array<double, 3>;

Coords to_coords(const GatedKeywordState& s) { return {s.beta0, s.beta1, logit(s.p)}; }

GatedKeywordState from_coords(const Coords& c) { return {c[0], c[1], sigmoid(c[2])}; }

// -grad L in (beta_0, beta_1, a).
Coords descent_direction(const Coords& c, bool freeze_attention) {
  const GatedKeywordGradient g = gated_keyword_gradient(from_coords(c));
  return {-g.beta0, -g.beta1, freeze_attention ? 0.0 : -g.logit};
}

Coords axpy(const Coords& y, double h, const Coords& k) {
  return {y[0] + h * k[0], y[1] + h * k[1], y[2] + h * k[2]};
}

TrajectoryPoint sample(double t, const Coords& c) {
  const GatedKeywordState s = from_coords(c);
  return {t, s.beta0, s.beta1, s.p, gated_keyword_loss(s)};
}

// Time at which the quantity q crosses `level` between samples a and b (linear).
double crossing_time(double t_a, double q_a, double t_b, double q_b, double level) {
  if (q_b == q_a) return t_b;
  return t_a + (t_b - t_a) * (level - q_a) / (q_b - q_a);
}

int sign(double x) { return (x > 0.0) - (x < 0.0); }

}  // namespace

GatedKeywordState paper_start() { return {0.0, 0.0, 0.5}; }

GatedKeywordState wrong_sign_start() { return {-1.0, 0.0, 0.5}; }

void validate(const GatedKeywordState& state) {
  check(std::isfinite(state.beta0), "beta0: expected a finite number, got {}", state.beta0);
  check(std::isfinite(state.beta1), "beta1: expected a finite number, got {}", state.beta1);
  check(std::isfinite(state.p) && state.p > 0.0 && state.p < 1.0,
        "p: expected an attention weight strictly between 0 and 1, got {}", state.p);
}

double sigmoid(double x) {
  if (x >= 0.0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

double logit(double p) { return std::log(p) - std::log1p(-p); }

double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }

double gated_keyword_loss(const GatedKeywordState& s) {
  const double s_pos = s.p * s.beta0 + (1.0 - s.p) * s.beta1;
  const double s_neg = s.p * s.beta0 - (1.0 - s.p) * s.beta1;
  return 0.5 * softplus(-s_pos) + 0.5 * softplus(-s_neg);
}

GatedKeywordGradient gated_keyword_gradient(const GatedKeywordState& s) {
  const double s_pos = s.p * s.beta0 + (1.0 - s.p) * s.beta1;
  const double s_neg = s.p * s.beta0 - (1.0 - s.p) * s.beta1;
  // d softplus(-x)/dx = -sigmoid(-x): how far each example is from being right.
  const double g_pos = sigmoid(-s_pos);
  const double g_neg = sigmoid(-s_neg);
  GatedKeywordGradient g;
  g.beta0 = -0.5 * s.p * (g_pos + g_neg);
  g.beta1 = -0.5 * (1.0 - s.p) * (g_pos - g_neg);
  g.p = -0.5 * (g_pos * (s.beta0 - s.beta1) + g_neg * (s.beta0 + s.beta1));
  g.logit = s.p * (1.0 - s.p) * g.p;
  return g;
}

GatedKeywordState flow_velocity(const GatedKeywordState& state, bool freeze_attention) {
  const GatedKeywordGradient g = gated_keyword_gradient(state);
  const double da_dt = freeze_attention ? 0.0 : -g.logit;
  return {-g.beta0, -g.beta1, state.p * (1.0 - state.p) * da_dt};
}

std::vector<TrajectoryPoint> integrate_gradient_flow(const GatedKeywordState& start,
                                                     const FlowOptions& options) {
  validate(start);
  check(std::isfinite(options.dt) && options.dt > 0.0, "dt: expected a positive step size, got {}",
        options.dt);
  check(options.steps > 0, "steps: expected a positive number of steps, got {}", options.steps);
  check(options.stride > 0, "stride: expected a positive stride, got {}", options.stride);

  const double h = options.dt;
  const bool frozen = options.freeze_attention;
  Coords y = to_coords(start);
  std::vector<TrajectoryPoint> trajectory;
  trajectory.reserve(static_cast<size_t>(options.steps / options.stride) + 2);
  trajectory.push_back(sample(0.0, y));
  for (long n = 1; n <= options.steps; ++n) {
    // Classical RK4: y += h/6 (k1 + 2 k2 + 2 k3 + k4).
    const Coords k1 = descent_direction(y, frozen);
    const Coords k2 = descent_direction(axpy(y, 0.5 * h, k1), frozen);
    const Coords k3 = descent_direction(axpy(y, 0.5 * h, k2), frozen);
    const Coords k4 = descent_direction(axpy(y, h, k3), frozen);
    for (size_t i = 0; i < y.size(); ++i) y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    // t = n h rather than a running sum, so no round-off drift in time.
    if (n % options.stride == 0 || n == options.steps)
      trajectory.push_back(sample(static_cast<double>(n) * h, y));
  }
  return trajectory;
}

TrajectorySummary summarize(const std::vector<TrajectoryPoint>& trajectory, double beta_gap,
                            double p_shift, bool freeze_attention) {
  check(!trajectory.empty(), "trajectory: expected at least one sample, got none");
  check(beta_gap > 0.0, "beta-gap: expected a positive threshold, got {}", beta_gap);
  check(p_shift > 0.0, "p-shift: expected a positive threshold, got {}", p_shift);

  const TrajectoryPoint& first = trajectory.front();
  TrajectorySummary summary;
  summary.initial_dp_dt = flow_velocity({first.beta0, first.beta1, first.p}, freeze_attention).p;
  summary.final = trajectory.back();
  summary.p_extreme = first.p;

  if (first.beta0 - first.beta1 >= beta_gap) summary.t_betas_separate = first.t;
  constexpr double kMoved = 1e-12;  // below this p counts as not having moved
  for (size_t i = 1; i < trajectory.size(); ++i) {
    const TrajectoryPoint& a = trajectory[i - 1];
    const TrajectoryPoint& b = trajectory[i];
    const double gap_a = a.beta0 - a.beta1;
    const double gap_b = b.beta0 - b.beta1;
    if (!summary.t_betas_separate && gap_a < beta_gap && gap_b >= beta_gap)
      summary.t_betas_separate = crossing_time(a.t, gap_a, b.t, gap_b, beta_gap);

    const double shift_a = std::abs(a.p - first.p);
    const double shift_b = std::abs(b.p - first.p);
    if (!summary.t_p_moves && shift_b >= p_shift)
      summary.t_p_moves = crossing_time(a.t, shift_a, b.t, shift_b, p_shift);

    if (summary.first_p_direction == 0 && shift_b > kMoved)
      summary.first_p_direction = sign(b.p - first.p);
    const int dir = summary.first_p_direction;
    if (dir == 0) continue;
    if (!summary.t_p_turns) {
      // Still going the first way: track the extreme; a step back is the turn.
      if (sign(b.p - a.p) == -dir) {
        summary.t_p_turns = a.t;
        summary.p_extreme = a.p;
      } else {
        summary.p_extreme = b.p;
      }
    } else if (!summary.t_p_recovers && sign(b.p - first.p) != dir) {
      summary.t_p_recovers = crossing_time(a.t, a.p, b.t, b.p, first.p);
    }
  }
  return summary;
}

std::string trajectory_csv(const std::vector<TrajectoryPoint>& trajectory, long stride) {
  check(stride > 0, "stride: expected a positive stride, got {}", stride);
  std::string out = "t,beta0,beta1,p,loss\n";
  for (size_t i = 0; i < trajectory.size(); ++i) {
    if (i % static_cast<size_t>(stride) != 0 && i + 1 != trajectory.size()) continue;
    const TrajectoryPoint& q = trajectory[i];
    out += fmt::format("{},{},{},{},{}\n", q.t, q.beta0, q.beta1, q.p, q.loss);
  }
  return out;
}

namespace {

std::string format_time(const std::optional<double>& t) {
  return t ? fmt::format("t = {:.3f}", *t) : std::string("never (within the horizon)");
}

const char* direction_name(int direction) {
  return direction > 0 ? "towards the keyword (p up)"
         : direction < 0 ? "towards the filler (p down)"
                         : "nowhere (p stays put)";
}

}  // namespace

std::string describe_summary(const TrajectorySummary& summary, double beta_gap, double p_shift) {
  std::string out = fmt::format("initial dp/dt = {:.6g}; p first moves {}\n", summary.initial_dp_dt,
                                direction_name(summary.first_p_direction));
  out += fmt::format("betas separate (beta0 - beta1 >= {}): {}\n", beta_gap, format_time(summary.t_betas_separate));
  out += fmt::format("p moves (|p - p(0)| >= {}):          {}\n", p_shift, format_time(summary.t_p_moves));
  if (summary.t_p_turns)
    out += fmt::format("p turns at t = {:.3f} (extreme p = {:.4f}); back at p(0) {}\n", *summary.t_p_turns,
                       summary.p_extreme, format_time(summary.t_p_recovers));
  const auto& f = summary.final;
  out += fmt::format("final: t = {}, beta0 = {:.4f}, beta1 = {:.4f}, p = {:.4f}, loss = {:.6f}\n", f.t, f.beta0,
                     f.beta1, f.p, f.loss);
  return out;
}

}  // namespace attn::toy
