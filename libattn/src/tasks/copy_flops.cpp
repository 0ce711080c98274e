// FLOP counts of the copy models (see attn/tasks/copy_flops.h).
#include "attn/tasks/copy_flops.h"

namespace attn::tasks {

FlopCount copy_forward_flops(const CopyExperimentConfig& config, int64_t batch) {
  const auto& m = config.model;
  const double B = batch, S = config.data.length() + 1, T = S, E = m.embedding_dim(), D = m.hidden_size(),
               H = m.heads(), V = config.vocabulary().total();
  const bool lstm = m.architecture() == nn::Architecture::kLstm;
  const double gates = (lstm ? 4 : 3) * D;
  const double directions = m.bidirectional() ? 2 : 1;
  const double K = directions * D, C = D, M = D;
  const double input_projection = 2 * E * gates * B * (S * directions + T);  // W_ih on every token
  const double recurrent = 2 * D * gates * B * (S * directions + T);         // W_hh on every step
  const double attention = B * H * T * (2 * D * K + 2 * S * K + 2 * S * K + 2 * K * C);
  const double readout = B * T * (2 * D * M + 2 * C * M + 2 * M * V);
  const double table_projection = 2 * V * E * gates * (directions + 1);       // what libattn runs instead
  FlopCount count;
  count.nominal = input_projection + recurrent + attention + readout;
  count.executed = table_projection + recurrent + attention + readout;
  return count;
}

FlopCount copy_training_step_flops(const CopyExperimentConfig& config) {
  auto f = copy_forward_flops(config, config.train.batch_size);
  return {3 * f.nominal, 3 * f.executed};
}

FlopCount copy_probe_flops(const CopyExperimentConfig& config, int64_t batch) {
  auto f = copy_forward_flops(config, batch);
  const auto& m = config.model;
  const double B = batch, S = config.data.length() + 1, T = S, D = m.hidden_size(),
               K = (m.bidirectional() ? 2 : 1) * D, V = config.vocabulary().total();
  // one-hot contexts (per head), the two halves of the combine layer, and the
  // output layer on every (t, l) pair.
  const double probe = B * (m.heads() * S * 2 * K * D + T * 2 * D * D + S * 2 * D * D + T * S * 2 * D * V);
  return {f.nominal + probe, f.executed + probe};
}

}  // namespace attn::tasks
