// libattn archives: LibTorch archives that start with a magic string and a
// format version (checked on load, as llm.c does), written atomically (temp
// file + rename). Weights (initialisations, snapshots, screened heads) and
// single tensors live here; the training checkpoint built on these
// primitives (optimiser, step, history) is attn/train/training_checkpoint.h.
#pragma once

#include <torch/nn/module.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <filesystem>
#include <string>

namespace attn::io {

inline constexpr const char* kCheckpointMagic = "libattn-checkpoint";
inline constexpr int64_t kCheckpointFormat = 1;

/// Primitives for other archive kinds (the training checkpoint): the magic
/// header; writing an archive atomically; reading one back with its
/// header checked; and loading module weights from its "model" entry with
/// every shape compared. Errors are attn::Error naming `path`.
void write_header(torch::serialize::OutputArchive& archive);
void write_archive(const std::filesystem::path& path, torch::serialize::OutputArchive& archive);
/// `device`: where the archive's tensors go (LibTorch otherwise puts them back
/// on the device they were saved from: a CUDA-trained run would not load on a
/// CPU-only machine, and a CPU model would silently move to the GPU).
void read_archive(const std::filesystem::path& path, torch::serialize::InputArchive& archive,
                  const torch::Device& device = torch::kCPU);
void write_module(torch::serialize::OutputArchive& archive, torch::nn::Module& model);
void read_module(const std::filesystem::path& path, torch::serialize::InputArchive& archive,
                 torch::nn::Module& model);

/// The device of `model`'s parameters (CPU for a model without any): where
/// everything loaded into it belongs.
torch::Device module_device(const torch::nn::Module& model);

/// Saves/loads only the weights (no optimiser, no history): initialisations
/// shared between runs and the snapshots that probes read.
void save_weights(const std::filesystem::path& path, torch::nn::Module& model);
/// Loads onto `model`'s device, whichever device the file was saved from.
void load_weights(const std::filesystem::path& path, torch::nn::Module& model);

/// Saves/loads one named tensor (same header, atomic write): data a process
/// hands to its worker processes, such as attn-analyze's gold attention.
void save_tensor(const std::filesystem::path& path, const std::string& name, const torch::Tensor& tensor);
torch::Tensor load_tensor(const std::filesystem::path& path, const std::string& name,
                          const torch::Device& device = torch::kCPU);

}  // namespace attn::io
