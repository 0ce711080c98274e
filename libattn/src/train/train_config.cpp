// The shared `train:` reader (see attn/train/train_config.h).
#include "attn/train/train_config.h"

namespace attn::train {

TrainConfig read_train_config(const io::ConfigNode& t, const TrainConfig& defaults, const TrainConfigKeys& keys) {
  TrainConfig c = defaults;
  const TrainerOptions& d = defaults.trainer;
  if (keys.steps) c.trainer.steps(t.get_int("steps", d.steps()));
  c.batch_size = t.get_int("batch_size", defaults.batch_size);
  c.trainer.learning_rate(t.get_double("learning_rate", d.learning_rate()));
  if (keys.uniform_steps) c.trainer.uniform_steps(t.get_int("uniform_steps", d.uniform_steps()));
  c.trainer.eval_every(t.get_int("eval_every", d.eval_every()));
  c.eval_examples = t.get_int("eval_examples", defaults.eval_examples);
  if (keys.extra) keys.extra(t);
  c.trainer.checkpoint_every(t.get_int("checkpoint_every", d.checkpoint_every()));
  t.require(c.trainer.steps() >= 1, "steps", "expected a positive number of steps");
  t.require(c.batch_size >= 1, "batch_size", "expected a positive batch size");
  t.require(c.trainer.learning_rate() > 0, "learning_rate", "expected a positive learning rate");
  if (keys.uniform_steps)
    t.require(c.trainer.uniform_steps() >= 0, "uniform_steps", "expected >= 0 (>= steps: uniform throughout)");
  t.require(c.trainer.eval_every() >= 1, "eval_every", "expected a positive number of steps");
  t.require(c.eval_examples >= 1, "eval_examples", "expected a positive number of examples");
  t.require(c.trainer.checkpoint_every() >= 0 && c.trainer.checkpoint_every() % c.trainer.eval_every() == 0,
            "checkpoint_every", "expected 0 or a multiple of eval_every (checkpoints follow evaluations)");
  return c;
}

}  // namespace attn::train
