// libattn archives (see attn/io/checkpoint.h).
#include "attn/io/checkpoint.h"

#include <ATen/core/ivalue.h>
#include <fmt/ranges.h>

#include "attn/core/error.h"
#include "attn/io/files.h"

namespace attn::io {

namespace fs = std::filesystem;

void write_archive(const fs::path& path, torch::serialize::OutputArchive& archive) {
  // Serialised in memory first: LibTorch's file writer reports a failed
  // write (a full disk) from a destructor, which terminates the process.
  std::string bytes;
  try {
    archive.save_to([&bytes](const void* data, size_t size) {
      bytes.append(static_cast<const char*>(data), size);
      return size;
    });
  } catch (const c10::Error& e) {
    throw Error(fmt::format("{}: cannot serialise checkpoint ({})", path.string(), e.what_without_backtrace()));
  }
  write_bytes_atomic(path, bytes.data(), bytes.size());
}

void read_archive(const fs::path& path, torch::serialize::InputArchive& archive, const torch::Device& device) {
  check(fs::exists(path), "{}: checkpoint not found", path.string());
  try {
    archive.load_from(path.string(), device);
  } catch (const c10::Error&) {
    throw Error(fmt::format("{}: not a libattn checkpoint (unreadable archive)", path.string()));
  }
  c10::IValue magic, format;
  check(archive.try_read("magic", magic) && magic.isString() && magic.toStringRef() == kCheckpointMagic,
        "{}: not a libattn checkpoint (magic string missing)", path.string());
  check(archive.try_read("format", format) && format.isInt() && format.toInt() == kCheckpointFormat,
        "{}: checkpoint format {} but this libattn reads format {}", path.string(),
        format.isInt() ? format.toInt() : -1, kCheckpointFormat);
}

void write_header(torch::serialize::OutputArchive& archive) {
  archive.write("magic", c10::IValue(std::string(kCheckpointMagic)));
  archive.write("format", c10::IValue(kCheckpointFormat));
}

void write_module(torch::serialize::OutputArchive& archive, torch::nn::Module& model) {
  torch::serialize::OutputArchive model_archive;
  model.save(model_archive);
  archive.write("model", model_archive);
}

void read_module(const fs::path& path, torch::serialize::InputArchive& archive, torch::nn::Module& model) {
  torch::serialize::InputArchive sub;
  check(archive.try_read("model", sub), "{}: checkpoint has no model weights", path.string());
  // Module::load resizes tensors to whatever the archive holds, so shapes
  // are compared explicitly.
  std::vector<std::pair<std::string, std::vector<int64_t>>> expected;
  for (const auto& item : model.named_parameters()) expected.emplace_back(item.key(), item.value().sizes().vec());
  for (const auto& item : model.named_buffers()) expected.emplace_back(item.key(), item.value().sizes().vec());
  try {
    model.load(sub);
  } catch (const c10::Error& e) {
    throw Error(fmt::format("{}: weights do not fit this model (different config?): {}", path.string(),
                            e.what_without_backtrace()));
  }
  auto params = model.named_parameters();
  auto buffers = model.named_buffers();
  for (const auto& [name, sizes] : expected) {
    const torch::Tensor* loaded = params.find(name);
    if (loaded == nullptr) loaded = buffers.find(name);
    check(loaded != nullptr && loaded->sizes().vec() == sizes,
          "{}: weights do not fit this model (different config?): '{}' has shape {} in the file, {} expected",
          path.string(), name, loaded ? fmt::format("{}", fmt::join(loaded->sizes(), "x")) : "none",
          fmt::format("{}", fmt::join(sizes, "x")));
  }
}

torch::Device module_device(const torch::nn::Module& model) {
  for (const auto& parameter : model.parameters()) return parameter.device();
  for (const auto& buffer : model.buffers()) return buffer.device();
  return torch::kCPU;
}

void save_weights(const fs::path& path, torch::nn::Module& model) {
  torch::serialize::OutputArchive archive;
  write_header(archive);
  write_module(archive, model);
  write_archive(path, archive);
}

void load_weights(const fs::path& path, torch::nn::Module& model) {
  torch::serialize::InputArchive archive;
  read_archive(path, archive, module_device(model));
  read_module(path, archive, model);
}

void save_tensor(const fs::path& path, const std::string& name, const torch::Tensor& tensor) {
  torch::serialize::OutputArchive archive;
  write_header(archive);
  archive.write(name, tensor.detach().to(torch::kCPU), /*is_buffer=*/true);
  write_archive(path, archive);
}

torch::Tensor load_tensor(const fs::path& path, const std::string& name, const torch::Device& device) {
  torch::serialize::InputArchive archive;
  read_archive(path, archive, device);
  torch::Tensor tensor;
  check(archive.try_read(name, tensor), "{}: no tensor named '{}'", path.string(), name);
  return tensor;
}

}  // namespace attn::io
