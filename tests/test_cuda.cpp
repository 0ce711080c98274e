// CPU against CUDA (issue 17), for a machine with a GPU and a CUDA LibTorch
// (scripts/gpu-check.sh): each model's loss and gradients on the GPU (library
// route: cuDNN) equal the CPU's (hand-written route); training checkpoints
// move between the devices both ways and a run resumes on the other one.
// Tag [cuda], CTest label `cuda`; without a GPU each test prints "SKIPPED: no
// CUDA device" and CTest reports it skipped.
#include <catch2/catch.hpp>
#include <torch/autograd.h>
#include <torch/cuda.h>

#include <functional>
#include <iostream>

#include "attn/core/runtime.h"
#include "attn/data/translation_batch.h"
#include "attn/io/checkpoint.h"
#include "attn/io/config.h"
#include "attn/nn/attention_classifier.h"
#include "attn/nn/copy_models.h"
#include "attn/nn/translation_model.h"
#include "attn/tasks/copy_task.h"
#include "attn/train/training_checkpoint.h"
#include "attn/train/two_stage_trainer.h"
#include "seeding.h"
#include "temp_dir.h"

namespace {

/// The GPU, with libattn's float32 settings (no TF32), or nothing.
std::optional<torch::Device> gpu() {
  if (!torch::cuda::is_available()) {
    std::cout << "SKIPPED: no CUDA device" << std::endl;
    return std::nullopt;
  }
  return attn::resolve_device("cuda:0");
}

/// cuDNN and the CPU sum in different orders: float32 rounding differences
/// grow over the recurrence, so values are compared to 1e-4 relative.
bool cuda_close(const torch::Tensor& cpu, const torch::Tensor& cuda) {
  return torch::allclose(cpu, cuda.to(torch::kCPU), 1e-4, 1e-5);
}

/// One forward and backward of `loss_of` on each device; the models start
/// from the same weights (built from the same seed, one then moved).
void compare_devices(const std::function<std::shared_ptr<torch::nn::Module>()>& make,
                     const std::function<torch::Tensor(torch::nn::Module&, const torch::Device&)>& loss_of,
                     const torch::Device& device) {
  torch::manual_seed(7);
  auto on_cpu = make();
  torch::manual_seed(7);
  auto on_gpu = make();
  on_gpu->to(device);
  auto cpu_loss = loss_of(*on_cpu, torch::kCPU);
  auto gpu_loss = loss_of(*on_gpu, device);
  CHECK(cuda_close(cpu_loss, gpu_loss));
  auto cpu_params = on_cpu->parameters(), gpu_params = on_gpu->parameters();
  auto cpu_grads = torch::autograd::grad({cpu_loss}, cpu_params, {}, false, false, true);
  auto gpu_grads = torch::autograd::grad({gpu_loss}, gpu_params, {}, false, false, true);
  auto names = on_cpu->named_parameters().keys();
  for (size_t i = 0; i < cpu_grads.size(); ++i) {
    INFO(names[i]);
    REQUIRE(cpu_grads[i].defined() == gpu_grads[i].defined());
    if (cpu_grads[i].defined()) CHECK(cuda_close(cpu_grads[i], gpu_grads[i]));
  }
}

attn::tasks::CopyExperimentConfig tiny_copy(int64_t steps) {
  const std::string yaml = fmt::format(
      "name: tiny\ndata: {{vocab: 12, length: 8}}\nmodel: {{embedding_dim: 16, hidden_size: 16, bidirectional: true}}\n"
      "train: {{steps: {}, batch_size: 8, eval_every: 5, eval_examples: 16, checkpoint_every: 10}}\n",
      steps);
  return attn::tasks::parse_copy_experiment(attn::io::ConfigNode::parse(yaml, "<test>"));
}

attn::train::TrainingResult train_on(const torch::Device& device, int64_t steps, const std::filesystem::path& dir,
                                     bool resume, std::shared_ptr<attn::tasks::CopyTask>* keep = nullptr) {
  const auto config = tiny_copy(steps);
  auto task = std::make_shared<attn::tasks::CopyTask>(config, 5, device);
  attn::train::TrainerOptions options = config.train.trainer;
  options.progress(false);
  auto result = attn::train::TwoStageTrainer(*task, options, dir).run(resume);
  if (keep) *keep = task;
  return result;
}

}  // namespace

TEST_CASE("cuda: every model's loss and gradients on the GPU equal the CPU's", "[cuda]") {
  const auto device = gpu();
  if (!device) return;
  const auto source = torch::randint(0, 9, {3, 5}), target = torch::randint(0, 9, {3, 5});
  const auto weights = torch::randn({3, 5, 9});
  SECTION("copy LSTM seq2seq, bidirectional") {
    compare_devices(
        [] {
          return std::static_pointer_cast<torch::nn::Module>(attn::nn::make_copy_model(
              attn::nn::CopyModelOptions().vocab_size(9).embedding_dim(6).hidden_size(5).bidirectional(true)));
        },
        [&](torch::nn::Module& m, const torch::Device& d) {
          auto out = dynamic_cast<attn::nn::Seq2SeqModel&>(m).forward(
              source.to(d), torch::ones({3, 5}, torch::TensorOptions(torch::kBool).device(d)), target.to(d));
          return (out.log_probs * weights.to(d)).sum() + out.attention.pow(2).sum();
        },
        *device);
  }
  SECTION("multi-head GRU") {
    compare_devices(
        [] {
          return std::static_pointer_cast<torch::nn::Module>(
              attn::nn::make_copy_model(attn::nn::CopyModelOptions()
                                            .architecture(attn::nn::Architecture::kMultiheadGru)
                                            .vocab_size(9).embedding_dim(6).hidden_size(8).heads(4)));
        },
        [&](torch::nn::Module& m, const torch::Device& d) {
          auto out = dynamic_cast<attn::nn::Seq2SeqModel&>(m).forward(source.to(d), torch::Tensor(), target.to(d));
          return (out.log_probs * weights.to(d)).sum() + out.head_attention.pow(2).sum();
        },
        *device);
  }
  SECTION("translation model, padded batch") {
    std::vector<attn::data::EncodedPair> pairs = {
        {{1, 4, 5, 6, 7, 2}, {1, 8, 9, 2}}, {{1, 5, 2}, {1, 10, 4, 6, 7, 2}}, {{1, 9, 8, 4, 2}, {1, 5, 2}}};
    const auto batch = attn::data::make_translation_batch(pairs, {0, 1, 2}, 0);
    compare_devices(
        [] {
          return std::static_pointer_cast<torch::nn::Module>(std::make_shared<attn::nn::TranslationModelImpl>(
              attn::nn::TranslationModelOptions().vocab_size(11).embedding_dim(6).hidden_size(5).dropout(0.0)));
        },
        [&](torch::nn::Module& m, const torch::Device& d) {
          auto b = batch.to(d);
          auto out = dynamic_cast<attn::nn::TranslationModelImpl&>(m).real_token_log_probs(b.source, b.source_mask,
                                                                                          b.target_in, b.target_out);
          return -out.log_probs.gather(1, out.gold.unsqueeze(1)).mean() + out.attention.pow(2).sum();
        },
        *device);
  }
  SECTION("attention classifier, padded batch") {
    auto ids = torch::randint(1, 12, {3, 6});
    auto mask = torch::ones({3, 6}, torch::kBool);
    mask[1].narrow(0, 2, 4).fill_(false);
    ids.masked_fill_(mask.logical_not(), 0);
    compare_devices(
        [] {
          return std::static_pointer_cast<torch::nn::Module>(std::make_shared<attn::nn::AttentionClassifierImpl>(
              attn::nn::AttentionClassifierOptions(12).embedding_dim(6).hidden_size(5).attention_hidden(4)));
        },
        [&](torch::nn::Module& m, const torch::Device& d) {
          auto out = dynamic_cast<attn::nn::AttentionClassifierImpl&>(m).forward(ids.to(d), mask.to(d));
          return out.logits.sigmoid().sum() + out.alpha.pow(2).sum();
        },
        *device);
  }
}

TEST_CASE("cuda: a run trained on one device loads and resumes on the other", "[cuda]") {
  const auto device = gpu();
  if (!device) return;
  attn_test::TempDir tmp("cuda_checkpoints");
  for (const bool gpu_first : {true, false}) {
    INFO((gpu_first ? "GPU, then CPU" : "CPU, then GPU"));
    const torch::Device first = gpu_first ? *device : torch::Device(torch::kCPU);
    const torch::Device second = gpu_first ? torch::Device(torch::kCPU) : *device;
    const auto dir = tmp / (gpu_first ? "gpu_first" : "cpu_first");
    std::shared_ptr<attn::tasks::CopyTask> trained, resumed;
    train_on(first, 10, dir, false, &trained);

    // The checkpoint lands on the reader's device with the trainer's values.
    auto reader = std::make_shared<attn::tasks::CopyTask>(tiny_copy(10), 5, second);
    CHECK(attn::train::load_checkpoint(dir / "checkpoint.pt", reader->model(), nullptr).step == 10);
    auto a = trained->model().parameters(), b = reader->model().parameters();
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(b[i].device() == second);
      CHECK(b[i].to(torch::kCPU).equal(a[i].to(torch::kCPU)));
    }

    // Resumed there (optimiser state included) it trains on to step 20.
    auto result = train_on(second, 20, dir, true, &resumed);
    CHECK(result.resumed_from == 10);
    CHECK(result.history.back().get("step") == 20);
    for (const auto& p : resumed->model().parameters()) {
      CHECK(p.device() == second);
      CHECK(torch::isfinite(p).all().item<bool>());
    }
  }
}
