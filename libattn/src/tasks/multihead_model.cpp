// The fixed base, single heads and their assembly (see attn/tasks/multihead_model.h).
#include "attn/tasks/multihead_model.h"

#include <fmt/format.h>

#include "attn/core/error.h"
#include "attn/io/checkpoint.h"

namespace attn::tasks {

namespace fs = std::filesystem;

std::shared_ptr<torch::nn::Module> non_attention_view(nn::Seq2SeqModel& model) {
  auto view = std::make_shared<torch::nn::Module>("NonAttention");
  const torch::nn::Module* attention = &model.attention();
  for (const auto& child : model.named_children())
    if (child.value().get() != attention) view->register_module(child.key(), child.value());
  return view;
}

void make_fixed_base(const nn::CopyModelOptions& options, int64_t seed, const fs::path& path) {
  torch::manual_seed(static_cast<uint64_t>(seed));
  auto model = nn::make_copy_model(nn::CopyModelOptions(options).heads(1));
  io::save_weights(path, *non_attention_view(*model));
}

namespace {
nn::AttentionOptions head_options(const nn::CopyModelOptions& options) {
  // The model's own attention options (sizes, no biases) with one head.
  auto model = nn::make_copy_model(nn::CopyModelOptions(options).heads(1));
  return nn::AttentionOptions(model->attention().options()).heads(1).uniform(false);
}
}  // namespace

nn::Attention draw_head(const nn::CopyModelOptions& options, int64_t seed) {
  const auto head = head_options(options);
  torch::manual_seed(static_cast<uint64_t>(seed));
  return nn::Attention(head);
}

void save_head(const fs::path& path, nn::AttentionImpl& head) {
  check(head.options().heads() == 1, "save_head: expected a 1-head module, got {} heads", head.options().heads());
  io::save_weights(path, head);
}

nn::Attention load_head(const nn::CopyModelOptions& options, const fs::path& path) {
  nn::Attention head(head_options(options));
  io::load_weights(path, *head);
  return head;
}

std::shared_ptr<nn::Seq2SeqModel> assemble_model(const nn::CopyModelOptions& options, const fs::path& base_path,
                                                 const std::vector<nn::Attention>& heads) {
  check(!heads.empty(), "assemble_model: expected at least one head");
  const auto H = static_cast<int64_t>(heads.size());
  auto model = nn::make_copy_model(nn::CopyModelOptions(options).heads(H));
  io::load_weights(base_path, *non_attention_view(*model));
  for (int64_t k = 0; k < H; ++k) model->attention().copy_head_from(*heads[k], 0, k);
  return model;
}

fs::path fixed_base_path(const fs::path& experiment_dir) { return experiment_dir / "base.pt"; }

}  // namespace attn::tasks
