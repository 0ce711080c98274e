// Snapshot readings kept on disk (see reading_cache.h).
#include "reading_cache.h"

#include <ATen/core/ivalue.h>
#include <fmt/format.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <cstring>

#include "attn/core/error.h"
#include "attn/io/checkpoint.h"
#include "attn/io/files.h"

namespace attn::tasks {

namespace fs = std::filesystem;

double CachedReading::number(const std::string& name) const {
  auto it = numbers.find(name);
  check(it != numbers.end(), "analysis cache: entry has no number '{}'", name);
  return it->second;
}

const std::vector<torch::Tensor>& CachedReading::blocks(const std::string& name) const {
  auto it = tensors.find(name);
  check(it != tensors.end(), "analysis cache: entry has no tensors '{}'", name);
  return it->second;
}

ReadingCache::ReadingCache(fs::path dir) : dir_(std::move(dir)) {}

namespace {

// The archive's layout: "key"; "lists" (names of the tensor lists), "<list>_count",
// "<list>_<i>"; "numbers" (names), "number_<name>"; "text_count", "text_<i>" (UTF-8 bytes).
std::vector<std::string> names_of(const c10::IValue& value) {
  std::vector<std::string> out;
  for (const auto& item : value.toListRef()) out.push_back(item.toStringRef());
  return out;
}

c10::IValue names_value(const std::vector<std::string>& names) {
  c10::List<std::string> list;
  for (const auto& name : names) list.push_back(name);
  return c10::IValue(list);
}

}  // namespace

std::optional<CachedReading> ReadingCache::find(const std::string& name, const std::string& key) const {
  const fs::path path = dir_ / (name + ".pt");
  if (!enabled() || !fs::exists(path)) return std::nullopt;
  try {
    torch::serialize::InputArchive archive;
    io::read_archive(path, archive);
    c10::IValue stored_key, lists, numbers, text_count;
    if (!archive.try_read("key", stored_key) || !stored_key.isString() || stored_key.toStringRef() != key)
      return std::nullopt;
    archive.read("lists", lists);
    archive.read("numbers", numbers);
    archive.read("text_count", text_count);
    CachedReading reading;
    for (const auto& list : names_of(lists)) {
      c10::IValue count;
      archive.read(list + "_count", count);
      auto& blocks = reading.tensors[list];
      for (int64_t i = 0; i < count.toInt(); ++i) {
        torch::Tensor t;
        archive.read(fmt::format("{}_{}", list, i), t);
        blocks.push_back(t);
      }
    }
    for (const auto& number : names_of(numbers)) {
      torch::Tensor t;
      archive.read("number_" + number, t);
      reading.numbers[number] = t.item<double>();
    }
    for (int64_t i = 0; i < text_count.toInt(); ++i) {
      torch::Tensor bytes;
      archive.read(fmt::format("text_{}", i), bytes);
      reading.texts.push_back(bytes.numel() == 0 ? std::string()
                                                 : std::string(static_cast<const char*>(bytes.data_ptr()),
                                                               static_cast<size_t>(bytes.numel())));
    }
    return reading;
  } catch (const std::exception& e) {
    // A damaged entry (a disk error, another libattn's layout) is read again, not fatal.
    fmt::print(stderr, "[attn-analyze] {}: ignored ({}); reading the snapshot again\n", path.string(), e.what());
    return std::nullopt;
  }
}

void ReadingCache::keep(const std::string& name, const std::string& key, const CachedReading& reading) const {
  if (!enabled()) return;
  io::ensure_directory(dir_);
  torch::serialize::OutputArchive archive;
  io::write_header(archive);
  archive.write("key", c10::IValue(key));
  std::vector<std::string> lists, numbers;
  for (const auto& [list, blocks] : reading.tensors) {
    lists.push_back(list);
    archive.write(list + "_count", c10::IValue(static_cast<int64_t>(blocks.size())));
    // A clone, so that a view saves only its own elements.
    for (size_t i = 0; i < blocks.size(); ++i) archive.write(fmt::format("{}_{}", list, i), blocks[i].cpu().clone());
  }
  for (const auto& [number, value] : reading.numbers) {
    numbers.push_back(number);
    archive.write("number_" + number, torch::tensor(value, torch::kDouble));
  }
  archive.write("lists", names_value(lists));
  archive.write("numbers", names_value(numbers));
  archive.write("text_count", c10::IValue(static_cast<int64_t>(reading.texts.size())));
  for (size_t i = 0; i < reading.texts.size(); ++i) {
    const auto& text = reading.texts[i];
    auto bytes = torch::empty({static_cast<int64_t>(text.size())}, torch::kUInt8);
    if (!text.empty()) std::memcpy(bytes.data_ptr(), text.data(), text.size());
    archive.write(fmt::format("text_{}", i), bytes);
  }
  io::write_archive(dir_ / (name + ".pt"), archive);
}

}  // namespace attn::tasks
