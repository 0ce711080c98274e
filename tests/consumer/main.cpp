// Links against the installed libattn and runs a copy model forward pass:
// proves the package config, headers and library are complete.
#include <cstdio>

#include "attn/data/copy_data.h"
#include "attn/nn/copy_models.h"
#include "attn/version.h"

int main() {
  auto model = attn::nn::make_copy_model(attn::nn::CopyModelOptions().vocab_size(12).embedding_dim(8).hidden_size(8));
  attn::data::CopyTaskOptions task;
  task.vocab(10).length(5);
  auto batch = attn::data::make_copy_batch(task, {10}, 2, 1, 0);
  auto out = model->forward(batch.source, batch.source_mask, batch.target_in);
  const bool ok = out.log_probs.size(2) == 12 && out.attention.size(2) == 6;
  std::printf("libattn %s consumer: %s\n", attn::kVersion, ok ? "ok" : "wrong shapes");
  return ok ? 0 : 1;
}
