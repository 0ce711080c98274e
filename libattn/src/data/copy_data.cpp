// Copy-task batch generation (see attn/data/copy_data.h).
#include "attn/data/copy_data.h"

#include <numeric>
#include <vector>

#include "attn/core/error.h"
#include "attn/core/host_to_device.h"
#include "attn/core/seed_streams.h"

namespace attn::data {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Rng::Rng(uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

uint64_t Rng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t Rng::below(uint64_t n) {
  // Lemire-style rejection: unbiased for every n.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = next();
  while (x >= limit);
  return x % n;
}

uint64_t Rng::mix(uint64_t a, uint64_t b, uint64_t c) {
  uint64_t x = a;
  uint64_t h = splitmix64(x);
  x = h ^ b;
  h = splitmix64(x);
  x = h ^ c;
  return splitmix64(x);
}

void validate(const CopyTaskOptions& options, const CopyVocabulary& vocabulary, const std::string& what) {
  check(options.vocab() >= 1, "{}.vocab: expected a positive number of tokens, got {}", what, options.vocab());
  check(options.length() >= 1, "{}.length: expected a positive length, got {}", what, options.length());
  check(options.repeats() || options.length() <= options.vocab(),
        "{}.length: {} tokens without repeats need vocab >= length, got vocab {}", what,
        options.length(), options.vocab());
  check(options.vocab() <= vocabulary.size, "{}.vocab: {} exceeds the model vocabulary {}", what,
        options.vocab(), vocabulary.size);
}

CopyBatch make_copy_batch(const CopyTaskOptions& options, const CopyVocabulary& vocabulary,
                          int64_t batch_size, uint64_t seed, uint64_t index, const torch::Device& device) {
  validate(options, vocabulary, "data");
  const int64_t n = options.length(), V = options.vocab(), S = n + 1;
  Rng rng(Rng::mix(seed, index, static_cast<uint64_t>(SeedStream::kCopyBatches)));
  auto source = torch::empty({batch_size, S}, torch::kInt64);
  auto target_in = torch::empty({batch_size, S}, torch::kInt64);
  auto src = source.accessor<int64_t, 2>();
  auto tin = target_in.accessor<int64_t, 2>();
  std::vector<int64_t> pool(V);
  for (int64_t b = 0; b < batch_size; ++b) {
    if (options.repeats()) {
      for (int64_t i = 0; i < n; ++i) src[b][i] = static_cast<int64_t>(rng.below(V));
    } else {
      // Partial Fisher-Yates: the first n entries are a uniform sample
      // without replacement, in random order.
      std::iota(pool.begin(), pool.end(), 0);
      for (int64_t i = 0; i < n; ++i) {
        const int64_t j = i + static_cast<int64_t>(rng.below(V - i));
        std::swap(pool[i], pool[j]);
        src[b][i] = pool[i];
      }
    }
    src[b][n] = vocabulary.eos();
    tin[b][0] = vocabulary.sos();
    for (int64_t i = 0; i < n; ++i) tin[b][i + 1] = src[b][i];
  }
  CopyBatch batch;
  batch.source = to_device(source, device);
  batch.target_in = to_device(target_in, device);
  batch.target_out = batch.source;  // x_1 .. x_n EOS is exactly the source
  batch.source_mask = torch::ones({batch_size, S}, torch::TensorOptions(torch::kBool).device(device));
  batch.gold_alignment = torch::arange(S, torch::TensorOptions(torch::kInt64).device(device))
                             .unsqueeze(0)
                             .expand({batch_size, S});
  return batch;
}

}  // namespace attn::data
