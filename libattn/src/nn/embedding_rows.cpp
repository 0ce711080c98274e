// Embedding rows with a one-pass gradient (see embedding_rows.h).
#include "embedding_rows.h"

#include <torch/nn/functional/embedding.h>

namespace attn::nn::detail {

torch::Tensor EmbeddingRows::forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& table,
                                     const torch::Tensor& ids) {
  ctx->save_for_backward({ids});
  ctx->saved_data["rows"] = table.size(0);
  return table.index_select(0, ids);
}

torch::autograd::variable_list EmbeddingRows::backward(torch::autograd::AutogradContext* ctx,
                                                       torch::autograd::variable_list grad_outputs) {
  const auto ids = ctx->get_saved_variables()[0];
  const auto grad = grad_outputs[0].contiguous();
  const int64_t N = grad.size(0), E = grad.size(1);
  auto table_grad = torch::zeros({ctx->saved_data["rows"].toInt(), E}, grad.options());
  const float* g = grad.data_ptr<float>();
  const int64_t* id = ids.data_ptr<int64_t>();
  float* out = table_grad.data_ptr<float>();
  for (int64_t i = 0; i < N; ++i) {
    float* row = out + id[i] * E;
    const float* source = g + i * E;
    for (int64_t e = 0; e < E; ++e) row[e] += source[e];
  }
  return {table_grad, torch::Tensor()};
}

torch::Tensor embedding_rows(const torch::Tensor& table, const torch::Tensor& ids) {
  if (!table.is_cpu() || table.scalar_type() != torch::kFloat || !table.is_contiguous())
    return torch::nn::functional::embedding(ids, table);
  auto flat = ids.reshape({-1}).contiguous();
  auto sizes = ids.sizes().vec();
  sizes.push_back(table.size(1));
  return EmbeddingRows::apply(table, flat).view(sizes);
}

}  // namespace attn::nn::detail
