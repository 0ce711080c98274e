// The training checkpoint (see attn/train/training_checkpoint.h).
#include "attn/train/training_checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/core/ivalue.h>

#include "attn/core/error.h"
#include "attn/io/checkpoint.h"

namespace attn::train {

namespace fs = std::filesystem;

void save_checkpoint(const fs::path& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     const TrainingState& state) {
  torch::serialize::OutputArchive archive;
  io::write_header(archive);
  archive.write("step", c10::IValue(state.step));
  archive.write("stage", c10::IValue(static_cast<int64_t>(stage_number(state.stage))));
  archive.write("history_csv", c10::IValue(MetricRow::csv(state.history)));
  archive.write("seconds", c10::IValue(state.seconds));
  archive.write("loss_sum", c10::IValue(state.loss_sum));
  archive.write("loss_count", c10::IValue(state.loss_count));
  {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("cpu_rng_state", generator.get_state(), /*is_buffer=*/true);
  }
  // Dropout on a GPU draws from that device's generator.
  const torch::Device device = io::module_device(model);
  if (!device.is_cpu()) {
    auto generator = at::globalContext().defaultGenerator(device);
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("device_rng_state", generator.get_state(), /*is_buffer=*/true);
  }
  io::write_module(archive, model);
  if (optimizer != nullptr) {
    torch::serialize::OutputArchive optimizer_archive;
    optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
  }
  io::write_archive(path, archive);
}

TrainingState load_checkpoint(const fs::path& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer) {
  // Onto the model's device, whichever device trained it: a CUDA-trained run
  // resumes or is analysed on a CPU and the other way round.
  const torch::Device device = io::module_device(model);
  torch::serialize::InputArchive archive;
  io::read_archive(path, archive, device);
  io::read_module(path, archive, model);
  if (optimizer != nullptr) {
    torch::serialize::InputArchive optimizer_archive;
    check(archive.try_read("optimizer", optimizer_archive), "{}: checkpoint has no optimiser state", path.string());
    optimizer->load(optimizer_archive);
  }
  TrainingState state;
  c10::IValue step, stage, history;
  check(archive.try_read("step", step) && archive.try_read("stage", stage) && archive.try_read("history_csv", history),
        "{}: checkpoint lacks its training state", path.string());
  state.step = step.toInt();
  check(stage.toInt() == 1 || stage.toInt() == 2, "{}: stage {}: expected 1 or 2", path.string(), stage.toInt());
  state.stage = static_cast<Stage>(stage.toInt());
  state.history = MetricRow::parse_csv(history.toStringRef(), path.string());
  // Absent in checkpoints written before these were kept.
  c10::IValue seconds, loss_sum, loss_count;
  if (archive.try_read("seconds", seconds) && seconds.isDouble()) state.seconds = seconds.toDouble();
  if (archive.try_read("loss_sum", loss_sum) && loss_sum.isDouble()) state.loss_sum = loss_sum.toDouble();
  if (archive.try_read("loss_count", loss_count) && loss_count.isInt()) state.loss_count = loss_count.toInt();
  torch::Tensor rng_state;
  if (archive.try_read("cpu_rng_state", rng_state)) {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(rng_state.to(torch::kCPU));  // generator states live on the host
  }
  // Only from a run on the same kind of device: another kind's stream means
  // nothing here (the run continues exactly only on the device kind it began on).
  if (!device.is_cpu() && archive.try_read("device_rng_state", rng_state)) {
    auto generator = at::globalContext().defaultGenerator(device);
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(rng_state.to(torch::kCPU));
  }
  return state;
}

std::vector<MetricRow> checkpoint_history(const fs::path& path) {
  torch::serialize::InputArchive archive;
  io::read_archive(path, archive);
  c10::IValue history;
  check(archive.try_read("history_csv", history) && history.isString(), "{}: checkpoint lacks its metric history",
        path.string());
  return MetricRow::parse_csv(history.toStringRef(), path.string());
}

}  // namespace attn::train
