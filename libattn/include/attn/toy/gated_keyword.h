// The toy dynamics behind the paper's two-stage story (PAPER.md §1; the
// classifier of §2.3 cut down to two positions and free parameters, as in the
// paper's Section 2 warm-up): a gated keyword classifier trained by gradient
// flow, integrated with fixed-step RK4. Plain doubles; no torch.
//
// Data. A balanced binary task, label y in {+1, -1}. Every example has two
// positions. Position 0 holds a keyword that gives the label ("good" when
// y = +1, "bad" when y = -1). Position 1 holds one filler token that occurs in
// every example, so it carries no information about y.
//
// Model. Per-token scores (the paper's beta): score(good) = beta_0,
// score(bad) = -beta_0 (the flow keeps this antisymmetry, so one number
// suffices), score(filler) = beta_1. Attention p on position 0 and 1 - p on
// position 1, the same for every example, parameterised through a logit:
// p = sigmoid(a) (two-way softmax over logits (a, 0)). Sequence score
// s = p * score(x_0) + (1 - p) * score(x_1), P(y = +1 | x) = sigmoid(s).
// Gold-signed (multiplied by y, as the paper's beta probe is):
//   positive example  s_+ = p * beta_0 + (1 - p) * beta_1
//   negative example  s_- = p * beta_0 - (1 - p) * beta_1
// Loss: expected binary cross-entropy over the balanced data,
//   L(beta_0, beta_1, a) = 1/2 softplus(-s_+) + 1/2 softplus(-s_-).
// Flow: d(beta_0, beta_1, a)/dt = -grad L, so dp/dt = p (1 - p) da/dt.
//
// Why the negative examples: with the positive example alone,
// L = softplus(-s_+) treats the two tokens symmetrically, and the start
// beta_0 = beta_1, p = 1/2 never moves apart. The filler being shared by both
// classes is what makes token 0 the informative one. On this loss:
//   dbeta_0/dt = p (g_+ + g_-) / 2        (g_+- = sigmoid(-s_+-) > 0)
//   dbeta_1/dt = (1 - p) (g_+ - g_-) / 2  (drives beta_1 to 0)
//   da/dt      = p (1 - p) [g_+ (beta_0 - beta_1) + g_- (beta_0 + beta_1)] / 2
// so from beta_0 = beta_1 = 0, p = 1/2 the betas separate at once (first order
// in t) while da/dt = 0 at t = 0 and p moves only once beta_0 has grown (second
// order in t): knowledge of the keyword drives attention, not the reverse. A
// start with beta_0 < 0 (the keyword read the wrong way) moves p towards the
// filler first; with beta_1 = 0 (which then stays 0) da/dt has the sign of
// beta_0, so p turns back exactly when beta_0 crosses 0. (The filler's gold-signed
// score is +beta_1 on positives and -beta_1 on negatives, so its sign means
// nothing; "wrong sign" is about beta_0.)
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace attn::toy {

/// A point of parameter space in the coordinates users think in.
struct GatedKeywordState {
  double beta0 = 0.0;  ///< score of the keyword at position 0 (gold-signed)
  double beta1 = 0.0;  ///< score of the filler at position 1 (as read on a positive example)
  double p = 0.5;      ///< attention on position 0, strictly inside (0, 1)
};

/// The paper's start: no word knowledge, uniform attention.
GatedKeywordState paper_start();
/// A start whose keyword score has the wrong sign (beta_0 = -1, beta_1 = 0, p = 1/2):
/// the model reads "good" as negative, so beta_0 < beta_1.
GatedKeywordState wrong_sign_start();

/// Throws attn::Error naming the field ("beta0", "beta1", "p") when a value is
/// not finite or p is not strictly inside (0, 1).
void validate(const GatedKeywordState& state);

/// Partial derivatives of the loss; `logit` is dL/da with p = sigmoid(a).
struct GatedKeywordGradient {
  double beta0 = 0.0;  ///< dL/dbeta_0
  double beta1 = 0.0;  ///< dL/dbeta_1
  double p = 0.0;      ///< dL/dp
  double logit = 0.0;  ///< dL/da = p (1 - p) dL/dp
};

/// Numerically stable logistic function.
double sigmoid(double x);
/// log(p / (1 - p)).
double logit(double p);
/// log(1 + exp(x)) without overflow.
double softplus(double x);

/// L(beta_0, beta_1, p): expected BCE over the balanced two-example data set.
double gated_keyword_loss(const GatedKeywordState& state);
/// Analytic gradient of gated_keyword_loss.
GatedKeywordGradient gated_keyword_gradient(const GatedKeywordState& state);

/// The flow's velocity in (beta_0, beta_1, p) coordinates; `p` is
/// dp/dt = p (1 - p) da/dt, zero when attention is frozen.
GatedKeywordState flow_velocity(const GatedKeywordState& state, bool freeze_attention = false);

/// How to integrate the gradient flow.
struct FlowOptions {
  double dt = 0.01;               ///< RK4 step size (> 0)
  long steps = 3000;              ///< number of RK4 steps (> 0); horizon = steps * dt
  long stride = 1;                ///< keep every stride-th step (the last step is always kept)
  bool freeze_attention = false;  ///< keep a (hence p) fixed: the paper's uniform model at p = 1/2
};

/// One sample of a trajectory.
struct TrajectoryPoint {
  double t = 0.0;
  double beta0 = 0.0;
  double beta1 = 0.0;
  double p = 0.0;
  double loss = 0.0;
};

/// Integrates d(beta_0, beta_1, a)/dt = -grad L from `start` with classical
/// fixed-step RK4 in (beta_0, beta_1, a) coordinates. Returns the start
/// (t = 0) and every stride-th step. Throws attn::Error for bad options/start.
std::vector<TrajectoryPoint> integrate_gradient_flow(const GatedKeywordState& start,
                                                     const FlowOptions& options);

/// What happened along a trajectory, in the order the paper's story predicts.
struct TrajectorySummary {
  double initial_dp_dt = 0.0;  ///< dp/dt at t = 0 from the analytic gradient
  /// Sign of the first change of p along the trajectory: +1 towards the
  /// keyword, -1 towards the filler, 0 if p never moves by more than 1e-12.
  int first_p_direction = 0;
  /// First time beta_0 - beta_1 >= beta_gap (interpolated between samples).
  std::optional<double> t_betas_separate;
  /// First time |p - p(0)| >= p_shift (interpolated between samples).
  std::optional<double> t_p_moves;
  /// When p first moved one way and then turned back: the time of the turn
  /// and the value of p there (its extreme), resolved to one sample.
  std::optional<double> t_p_turns;
  double p_extreme = 0.0;
  /// First time p is back at (or beyond) p(0) after turning.
  std::optional<double> t_p_recovers;
  TrajectoryPoint final;  ///< the last sample
};

/// Summarises a trajectory (start first, as integrate_gradient_flow returns
/// it); `freeze_attention` as it was integrated (then initial_dp_dt = 0).
/// Throws attn::Error for an empty trajectory or non-positive thresholds.
TrajectorySummary summarize(const std::vector<TrajectoryPoint>& trajectory, double beta_gap,
                            double p_shift, bool freeze_attention = false);

/// "t,beta0,beta1,p,loss" header and one row per kept sample (every
/// `stride`-th, plus the last), full precision.
std::string trajectory_csv(const std::vector<TrajectoryPoint>& trajectory, long stride = 1);

/// The summary as lines for a reader: the initial dp/dt and which way p first
/// moves, when the betas separate, when p moves (and turns back), the final state.
std::string describe_summary(const TrajectorySummary& summary, double beta_gap, double p_shift);

}  // namespace attn::toy
