// Tests for the gated keyword toy (attn/toy/gated_keyword.h; the paper's
// Section 2 warm-up): gradient vs finite differences, RK4 vs an exact solution,
// and the order of the two stages from the paper's start and a wrong-signed one.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "attn/core/error.h"
#include "attn/toy/gated_keyword.h"

namespace {

using attn::toy::GatedKeywordState;
using attn::toy::TrajectoryPoint;

// Exact solution with attention frozen at p and beta_1 = 0: then s_+ = s_- = u
// with u = p beta_0 and du/dt = p^2 sigmoid(-u) = p^2 / (1 + e^u), so
// u + e^u = u0 + e^u0 + p^2 t. Solved for u by Newton (u + e^u is convex and
// increasing), independently of the library's integrator.
double frozen_beta0_exact(double beta0_start, double p, double t) {
  const double u0 = p * beta0_start;
  const double c = u0 + std::exp(u0) + p * p * t;
  double u = c > 1.0 ? std::log(c) : c - 1.0;  // a bracket end of the root
  for (int i = 0; i < 100; ++i) {
    const double step = (u + std::exp(u) - c) / (1.0 + std::exp(u));
    u -= step;
    if (std::abs(step) < 1e-15) break;
  }
  return u / p;
}

double logit_of(double p) { return std::log(p / (1.0 - p)); }

// Loss as a function of the integrator's coordinates (beta_0, beta_1, a).
double loss_at(double b0, double b1, double a) {
  return attn::toy::gated_keyword_loss({b0, b1, 1.0 / (1.0 + std::exp(-a))});
}

}  // namespace

TEST_CASE("toy loss matches its definition at a hand-computed point", "[toy]") {
  // beta = (1, -0.5), p = 0.25: s_+ = 0.25 - 0.375 = -0.125, s_- = 0.625.
  const double expected = 0.5 * std::log1p(std::exp(0.125)) + 0.5 * std::log1p(std::exp(-0.625));
  CHECK(attn::toy::gated_keyword_loss({1.0, -0.5, 0.25}) == Approx(expected).epsilon(1e-14));
  CHECK(attn::toy::gated_keyword_loss(attn::toy::paper_start()) == Approx(std::log(2.0)).epsilon(1e-14));
}

TEST_CASE("toy analytic gradient matches central finite differences", "[toy]") {
  const std::vector<GatedKeywordState> points = {
      {0.0, 0.0, 0.5}, {-1.0, 1.0, 0.5}, {0.7, -0.3, 0.2}, {2.5, 1.5, 0.9}, {-3.0, -2.0, 0.05}};
  const double h = 1e-5;
  for (const GatedKeywordState& s : points) {
    CAPTURE(s.beta0, s.beta1, s.p);
    const auto g = attn::toy::gated_keyword_gradient(s);
    const double a = logit_of(s.p);
    const double fd_b0 = (loss_at(s.beta0 + h, s.beta1, a) - loss_at(s.beta0 - h, s.beta1, a)) / (2 * h);
    const double fd_b1 = (loss_at(s.beta0, s.beta1 + h, a) - loss_at(s.beta0, s.beta1 - h, a)) / (2 * h);
    const double fd_a = (loss_at(s.beta0, s.beta1, a + h) - loss_at(s.beta0, s.beta1, a - h)) / (2 * h);
    const double fd_p = (attn::toy::gated_keyword_loss({s.beta0, s.beta1, s.p + h}) -
                         attn::toy::gated_keyword_loss({s.beta0, s.beta1, s.p - h})) / (2 * h);
    CHECK(g.beta0 == Approx(fd_b0).margin(1e-9));
    CHECK(g.beta1 == Approx(fd_b1).margin(1e-9));
    CHECK(g.logit == Approx(fd_a).margin(1e-9));
    CHECK(g.p == Approx(fd_p).margin(1e-9));
  }
  // The symmetric start is a stationary point for attention, not for the betas.
  const auto g0 = attn::toy::gated_keyword_gradient(attn::toy::paper_start());
  CHECK(g0.beta0 == Approx(-0.25).epsilon(1e-15));
  CHECK(g0.beta1 == 0.0);
  CHECK(g0.p == 0.0);
}

TEST_CASE("toy RK4 with frozen attention matches the exact solution", "[toy]") {
  for (double p : {0.5, 0.3}) {
    for (double beta0 : {0.0, -2.0}) {
      CAPTURE(p, beta0);
      attn::toy::FlowOptions options;
      options.dt = 0.05;
      options.steps = 400;  // t = 20
      options.freeze_attention = true;
      const auto trajectory = attn::toy::integrate_gradient_flow({beta0, 0.0, p}, options);
      REQUIRE(trajectory.size() == 401);
      double worst = 0.0;
      for (const TrajectoryPoint& q : trajectory) {
        worst = std::max(worst, std::abs(q.beta0 - frozen_beta0_exact(beta0, p, q.t)));
        CHECK(q.beta1 == 0.0);  // beta_1 = 0 is invariant
        CHECK(q.p == Approx(p).epsilon(1e-15));
      }
      CHECK(worst < 1e-10);
      const auto summary = attn::toy::summarize(trajectory, 0.1, 0.01, /*freeze_attention=*/true);
      CHECK(summary.initial_dp_dt == 0.0);
      CHECK(summary.first_p_direction == 0);
      CHECK(!summary.t_p_moves);
    }
  }
  // Fourth order: halving dt cuts the error about 16-fold.
  auto error_at = [](double dt) {
    attn::toy::FlowOptions options;
    options.dt = dt;
    options.steps = std::lround(10.0 / dt);
    options.freeze_attention = true;
    const auto trajectory = attn::toy::integrate_gradient_flow({-2.0, 0.0, 0.3}, options);
    return std::abs(trajectory.back().beta0 - frozen_beta0_exact(-2.0, 0.3, 10.0));
  };
  const double ratio = error_at(0.4) / error_at(0.2);
  CHECK(ratio > 12.0);
  CHECK(ratio < 20.0);
}

TEST_CASE("toy: from beta0 = beta1, p = 1/2 the betas separate before p moves", "[toy]") {
  attn::toy::FlowOptions options;
  options.dt = 0.01;
  options.steps = 3000;
  const auto trajectory = attn::toy::integrate_gradient_flow(attn::toy::paper_start(), options);
  const auto summary = attn::toy::summarize(trajectory, 0.1, 0.01);

  CHECK(summary.initial_dp_dt == 0.0);
  CHECK(summary.first_p_direction == +1);
  REQUIRE(summary.t_betas_separate);
  REQUIRE(summary.t_p_moves);
  // Early on beta_0 ~ t/4, and p - 1/2 ~ t^2/256 (second order).
  CHECK(*summary.t_betas_separate == Approx(0.4).margin(0.01));
  CHECK(*summary.t_p_moves > 3.0 * *summary.t_betas_separate);
  // When the betas have separated by 0.1, p has moved by well under 0.001.
  const size_t gap_index = static_cast<size_t>(std::ceil(*summary.t_betas_separate / options.dt));
  const TrajectoryPoint& at_gap = trajectory[gap_index];
  CHECK(std::abs(at_gap.p - 0.5) < 1e-3);
  CHECK(at_gap.p - 0.5 == Approx(at_gap.t * at_gap.t / 256.0).epsilon(0.05));
  // beta_1 (the filler) never leaves 0, p rises monotonically and the loss falls.
  for (size_t i = 1; i < trajectory.size(); ++i) {
    CHECK(trajectory[i].beta1 == 0.0);
    CHECK(trajectory[i].p > trajectory[i - 1].p);
    CHECK(trajectory[i].loss < trajectory[i - 1].loss);
  }
  CHECK(!summary.t_p_turns);
  CHECK(summary.final.p > 0.8);
}

TEST_CASE("toy: a wrong-signed start first moves p the wrong way", "[toy]") {
  const GatedKeywordState start = attn::toy::wrong_sign_start();
  REQUIRE(start.beta0 < start.beta1);
  // dp/dt = p(1-p) da/dt = -p^2 (1-p)^2 dL/dp. At (-1, 0, 1/2): s_+ = s_- = -1/2 and
  // dL/dp = sigmoid(1/2), so dp/dt = -sigmoid(1/2)/16. At (-1, 1, 1/2): s_+ = 0,
  // s_- = -1, dL/dp = -(1/2)[(1/2)(-2) + sigmoid(1) * 0] = 1/2, so dp/dt = -1/32.
  CHECK(attn::toy::flow_velocity(start).p == Approx(-attn::toy::sigmoid(0.5) / 16.0).epsilon(1e-14));
  CHECK(attn::toy::flow_velocity({-1.0, 1.0, 0.5}).p == Approx(-1.0 / 32.0).epsilon(1e-14));

  attn::toy::FlowOptions options;
  options.dt = 0.01;
  options.steps = 4000;
  const auto trajectory = attn::toy::integrate_gradient_flow(start, options);
  const auto summary = attn::toy::summarize(trajectory, 0.1, 0.01);
  CHECK(summary.initial_dp_dt < 0.0);
  CHECK(summary.first_p_direction == -1);
  REQUIRE(summary.t_p_moves);
  REQUIRE(summary.t_p_turns);
  REQUIRE(summary.t_p_recovers);
  REQUIRE(summary.t_betas_separate);
  CHECK(summary.p_extreme < 0.5 - 0.01);
  // With beta_1 = 0 (invariant) da/dt has the sign of beta_0: p turns exactly
  // where beta_0 crosses 0, i.e. where the betas cross.
  const size_t turn = static_cast<size_t>(std::lround(*summary.t_p_turns / options.dt));
  CHECK(std::abs(trajectory[turn].beta0) < 0.01 * 0.5);  // within one step's change of beta_0
  CHECK(trajectory[turn - 1].beta0 < 0.0);
  CHECK(trajectory[turn + 1].beta0 > 0.0);
  for (const TrajectoryPoint& q : trajectory) CHECK(q.beta1 == 0.0);
  // Order: p moves the wrong way, turns, the betas separate the right way
  // round, and only then is p back where it started.
  CHECK(*summary.t_p_moves < *summary.t_p_turns);
  CHECK(*summary.t_p_turns < *summary.t_betas_separate);
  CHECK(*summary.t_betas_separate < *summary.t_p_recovers);
  CHECK(summary.final.p > 0.5);
  CHECK(summary.final.beta0 > summary.final.beta1);
}

TEST_CASE("toy rejects bad starts and options with the field named", "[toy]") {
  attn::toy::FlowOptions options;
  CHECK_THROWS_WITH(attn::toy::integrate_gradient_flow({0.0, 0.0, 1.0}, options),
                    Catch::Contains("p: expected"));
  CHECK_THROWS_WITH(attn::toy::integrate_gradient_flow({NAN, 0.0, 0.5}, options),
                    Catch::Contains("beta0"));
  options.dt = -0.1;
  CHECK_THROWS_AS(attn::toy::integrate_gradient_flow({0.0, 0.0, 0.5}, options), attn::Error);
}

TEST_CASE("toy trajectory CSV keeps every stride-th row and the last", "[toy]") {
  attn::toy::FlowOptions options;
  options.steps = 25;
  const auto trajectory = attn::toy::integrate_gradient_flow(attn::toy::paper_start(), options);
  const std::string csv = attn::toy::trajectory_csv(trajectory, 10);
  CHECK(csv.rfind("t,beta0,beta1,p,loss\n", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 4);  // rows 0, 10, 20 and 25
}
