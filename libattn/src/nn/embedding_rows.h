// Internal: rows of an embedding table with a one-pass gradient.
//
// Why: LibTorch 1.13's CPU embedding backward adds each token's gradient
// row with its own add_ call (~450 calls per translation batch) into a
// zeroed table; here one loop does it. Same values: the gradient of row v is
// the sum of the gradient rows of the tokens with id v, in token order.
#pragma once

#include <torch/csrc/autograd/custom_function.h>
#include <torch/types.h>

namespace attn::nn::detail {

struct EmbeddingRows : public torch::autograd::Function<EmbeddingRows> {
  /// table (V, E) float, ids (N) int64 -> (N, E). Other dtypes and devices:
  /// use torch::nn::functional::embedding (embedding_rows() below chooses).
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& table,
                               const torch::Tensor& ids);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs);
};

/// table[ids] for ids of any shape: (..., E).
torch::Tensor embedding_rows(const torch::Tensor& table, const torch::Tensor& ids);

}  // namespace attn::nn::detail
