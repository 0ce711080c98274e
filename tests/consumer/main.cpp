// Links against the installed libattn and runs a copy model forward pass, and
// reads a copy experiment config through a tasks/ header (which includes
// io/config.h, hence yaml-cpp, and the trainer): proves the package config,
// headers, public dependencies and library are complete.
#include <cstdio>

#include "attn/data/copy_data.h"
#include "attn/io/config.h"
#include "attn/nn/copy_models.h"
#include "attn/tasks/copy_task.h"
#include "attn/version.h"

int main() {
  auto model = attn::nn::make_copy_model(attn::nn::CopyModelOptions().vocab_size(12).embedding_dim(8).hidden_size(8));
  attn::data::CopyTaskOptions task;
  task.vocab(10).length(5);
  auto batch = attn::data::make_copy_batch(task, {10}, 2, 1, 0);
  auto out = model->forward(batch.source, batch.source_mask, batch.target_in);
  const bool shapes = out.log_probs.size(2) == 12 && out.attention.size(2) == 6;

  const auto config = attn::tasks::parse_copy_experiment(attn::io::ConfigNode::parse(
      "name: tiny\ndata: {vocab: 6, length: 4}\nmodel: {embedding_dim: 8, hidden_size: 8}\n", "inline"));
  const bool parsed = config.name == "tiny" && config.data.length() == 4 && !config.resolved_yaml.empty();
  std::printf("libattn %s (%s) consumer: %s, %s\n", attn::kVersion, attn::kGitCommit, shapes ? "ok" : "wrong shapes",
              parsed ? "config ok" : "config wrong");
  return shapes && parsed ? 0 : 1;
}
