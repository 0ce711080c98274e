// Classifier KTIW probe and chunked readout (see attn/probes/classifier_ktiw.h).
#include "attn/probes/classifier_ktiw.h"

#include <algorithm>
#include <numeric>

#include "attn/core/error.h"

namespace attn::probes {

torch::Tensor classifier_ktiw_beta(const nn::ClassifierOutput& output, const torch::Tensor& labels) {
  auto sign = labels.to(output.beta.dtype()) * 2 - 1;  // (B)
  return output.beta * sign.unsqueeze(-1);              // (B, L)
}

namespace {

int64_t longest(const std::vector<data::EncodedExample>& examples) {
  int64_t L = 0;
  for (const auto& e : examples) L = std::max<int64_t>(L, static_cast<int64_t>(e.ids.size()));
  return L;
}

// (N, L) bool, true where `keep(id)` holds within each example.
template <typename Keep>
torch::Tensor position_mask(const std::vector<data::EncodedExample>& examples, Keep keep) {
  const int64_t N = static_cast<int64_t>(examples.size()), L = longest(examples);
  auto mask = torch::zeros({N, L}, torch::kBool);  // (N, L)
  auto m = mask.accessor<bool, 2>();
  for (int64_t i = 0; i < N; ++i) {
    const auto& ids = examples[static_cast<size_t>(i)].ids;
    for (size_t j = 0; j < ids.size(); ++j) m[i][static_cast<int64_t>(j)] = keep(ids[j]);
  }
  return mask;
}

}  // namespace

std::vector<torch::Tensor> map_chunks(
    const std::vector<data::EncodedExample>& examples, int64_t chunk,
    const std::function<std::vector<torch::Tensor>(const data::TextBatch&)>& fn) {
  check(!examples.empty(), "probe: no examples to read");
  check(chunk >= 1, "probe: expected a positive chunk size, got {}", chunk);
  const int64_t N = static_cast<int64_t>(examples.size()), L = longest(examples);
  // Longest first, so every chunk holds sequences of similar length.
  std::vector<int64_t> order(examples.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return examples[a].ids.size() > examples[b].ids.size(); });
  std::vector<torch::Tensor> results;
  for (int64_t start = 0; start < N; start += chunk) {
    std::vector<int64_t> indices(order.begin() + start, order.begin() + std::min(N, start + chunk));
    auto batch = data::make_batch(examples, indices);
    auto parts = fn(batch);
    auto rows = torch::tensor(indices, torch::kInt64);  // (B)
    for (size_t k = 0; k < parts.size(); ++k) {
      auto part = parts[k].detach().to(torch::kCPU);  // (B, L_chunk) or (B)
      if (results.size() <= k) {
        auto sizes = part.sizes().vec();
        sizes[0] = N;
        if (part.dim() == 2) sizes[1] = L;
        results.push_back(torch::zeros(sizes, part.options()));  // (N, L) or (N)
      }
      if (part.dim() == 2)
        results[k].narrow(1, 0, part.size(1)).index_copy_(0, rows, part);
      else
        results[k].index_copy_(0, rows, part);
    }
  }
  return results;
}

torch::Tensor token_mask(const std::vector<data::EncodedExample>& examples) {
  return position_mask(examples, [](int64_t id) { return id != data::Vocabulary::kPad; });
}

torch::Tensor word_mask(const std::vector<data::EncodedExample>& examples) {
  return position_mask(examples, [](int64_t id) {
    return id != data::Vocabulary::kBos && id != data::Vocabulary::kEos && id != data::Vocabulary::kPad;
  });
}

ClassifierReadout read_classifier(nn::AttentionClassifierImpl& model,
                                  const std::vector<data::EncodedExample>& examples, int64_t chunk) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  auto parts = map_chunks(examples, chunk, [&](const data::TextBatch& batch) {
    const auto device = model.embedding->weight.device();
    auto out = model.forward(batch.ids.to(device), batch.mask.to(device));
    return std::vector<torch::Tensor>{out.alpha, classifier_ktiw_beta(out, batch.labels.to(device)), out.logits,
                                      batch.labels};
  });
  if (was_training) model.train();
  ClassifierReadout r;
  r.alpha = parts[0];
  r.beta = parts[1];
  r.probability = torch::sigmoid(parts[2]);
  r.labels = parts[3];
  r.mask = token_mask(examples);
  r.loss = torch::binary_cross_entropy_with_logits(parts[2], r.labels).item<double>();
  r.accuracy = r.probability.ge(0.5).to(r.labels.dtype()).eq(r.labels).to(torch::kFloat64).mean().item<double>();
  return r;
}


torch::Tensor signed_word_scores(const torch::Tensor& word_scores, const std::vector<data::EncodedExample>& examples) {
  check(word_scores.dim() == 1, "signed_word_scores: expected one score per vocabulary id");
  const int64_t V = word_scores.size(0);
  auto batch = data::make_batch(examples);                      // ids (N, L)
  check(batch.ids.max().item<int64_t>() < V, "signed_word_scores: an id is outside the {} scores", V);
  auto scores = word_scores.detach().to(torch::kCPU).index({batch.ids});  // (N, L)
  auto sign = batch.labels.to(scores.dtype()) * 2 - 1;                // (N)
  return (scores * sign.unsqueeze(-1)).masked_fill(word_mask(examples).logical_not(), 0.0);
}

}  // namespace attn::probes
