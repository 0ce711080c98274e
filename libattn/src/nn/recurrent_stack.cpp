// Stacked recurrent layers (see attn/nn/recurrent_stack.h).
#include "attn/nn/recurrent_stack.h"

#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/embedding.h>

#include "attn/core/error.h"
#include "embedding_rows.h"
#include "lstm_function.h"
#include "packed_layout.h"

namespace attn::nn {

std::vector<RecurrentState> RecurrentStackOutput::mean_finals() const {
  std::vector<RecurrentState> out;
  for (const auto& directions : finals) {
    if (directions.size() == 1) {
      out.push_back(directions[0]);
      continue;
    }
    RecurrentState mean{(directions[0].h + directions[1].h) / 2, {}};
    if (directions[0].c.defined()) mean.c = (directions[0].c + directions[1].c) / 2;
    out.push_back(mean);
  }
  return out;
}

RecurrentStackImpl::RecurrentStackImpl(const RecurrentStackOptions& o) : options_(o) {
  check(o.layers() >= 1, "recurrent stack: expected at least one layer, got {}", o.layers());
  check(o.dropout() >= 0 && o.dropout() < 1, "recurrent stack: dropout must be in [0, 1), got {}", o.dropout());
  const int directions = o.bidirectional() ? 2 : 1;
  for (int64_t k = 0; k < o.layers(); ++k) {
    const int64_t input = k == 0 ? o.input_size() : o.hidden_size() * directions;
    std::vector<RecurrentLayer> layer;
    for (int d = 0; d < directions; ++d) {
      auto options = RecurrentLayerOptions(input, o.hidden_size()).cell(o.cell()).reverse(d == 1);
      // PyTorch's names: layer k, "_reverse" for the backward direction.
      const std::string name = "layer" + std::to_string(k) + (d == 1 ? "_reverse" : "");
      layer.push_back(register_module(name, RecurrentLayer(options)));
    }
    layers.push_back(std::move(layer));
  }
}

std::optional<detail::PackedLayout> RecurrentStackImpl::packed_layout(const torch::Tensor& like,
                                                                     const torch::Tensor& mask) const {
  if (!mask.defined() || options_.cell() != CellKind::kLSTM || !like.is_cpu() || like.scalar_type() != torch::kFloat)
    return std::nullopt;
  return detail::packed_layout(mask);
}

RecurrentStackOutput RecurrentStackImpl::forward(const torch::Tensor& inputs, const torch::Tensor& mask,
                                                 const std::vector<RecurrentState>& initial) {
  if (recurrence_route(inputs.device()) == RecurrenceRoute::kLibrary) return run_library(inputs, mask, initial);
  if (auto layout = packed_layout(inputs, mask))
    return run_packed(inputs.reshape({-1, inputs.size(2)}).index_select(0, layout->real), *layout, initial);
  std::vector<torch::Tensor> gates;
  for (auto& direction : layers[0]) gates.push_back(direction->input_gates(inputs, mask));
  return run(std::move(gates), mask, initial);
}

RecurrentStackOutput RecurrentStackImpl::forward_tokens(const torch::Tensor& table, const torch::Tensor& tokens,
                                                        const torch::Tensor& mask,
                                                        const std::vector<RecurrentState>& initial) {
  if (recurrence_route(table.device()) == RecurrenceRoute::kLibrary)
    return run_library(torch::nn::functional::embedding(tokens, table), mask, initial);
  // Projecting the table once pays when it is smaller than the batch (the
  // copy task's 42 ids); a translation vocabulary of 8000 pieces is far
  // larger than a batch's few hundred tokens, so those are looked up first.
  if (table.size(0) > tokens.numel()) {
    if (auto layout = packed_layout(table, mask)) {
      auto real_tokens = tokens.reshape({-1}).index_select(0, layout->real);  // (N)
      return run_packed(detail::embedding_rows(table, real_tokens), *layout, initial);
    }
    return forward(detail::embedding_rows(table, tokens), mask, initial);
  }
  std::vector<torch::Tensor> gates;
  for (auto& direction : layers[0]) gates.push_back(direction->input_gates_from_embedding(table, tokens));
  return run(std::move(gates), mask, initial);
}

namespace {

void check_initial(const RecurrentStackOptions& options, const std::vector<RecurrentState>& initial) {
  check(initial.empty() || (!options.bidirectional() && static_cast<int64_t>(initial.size()) == options.layers()),
        "recurrent stack: expected one initial state per layer of a unidirectional stack, got {}", initial.size());
}

/// The layer-by-layer loop that run() and run_library() share: dropout
/// between layers, directions concatenated. `run_layer(layer, k, d, input)`
/// runs direction d of layer k on `input` (`first_input` for layer 0).
template <typename RunLayer>
RecurrentStackOutput run_layers(std::vector<std::vector<RecurrentLayer>>& layers, double dropout, bool training,
                                torch::Tensor first_input, const RunLayer& run_layer) {
  RecurrentStackOutput out;
  torch::Tensor below = std::move(first_input);  // then the previous layer's outputs (B, T, K)
  for (size_t k = 0; k < layers.size(); ++k) {
    if (k > 0)
      below = torch::nn::functional::dropout(below,
                                             torch::nn::functional::DropoutFuncOptions().p(dropout).training(training));
    std::vector<torch::Tensor> outputs;
    std::vector<RecurrentState> finals;
    for (size_t d = 0; d < layers[k].size(); ++d) {
      auto result = run_layer(layers[k][d], k, d, below);
      outputs.push_back(result.outputs);
      finals.push_back(result.final);
    }
    below = outputs.size() == 1 ? outputs[0] : torch::cat(outputs, -1);  // (B, T, K)
    out.finals.push_back(std::move(finals));
  }
  out.states = below;
  return out;
}

}  // namespace

RecurrentStackOutput RecurrentStackImpl::run(std::vector<torch::Tensor> first_gates, const torch::Tensor& mask,
                                             const std::vector<RecurrentState>& initial) {
  check_initial(options_, initial);
  return run_layers(layers, options_.dropout(), is_training(), torch::Tensor(),
                    [&](RecurrentLayer& layer, size_t k, size_t d, const torch::Tensor& input) {
                      auto gates = k == 0 ? first_gates[d] : layer->input_gates(input, mask);
                      return layer->forward(gates, mask, initial.empty() ? RecurrentState{} : initial[k]);
                    });
}

RecurrentStackOutput RecurrentStackImpl::run_library(const torch::Tensor& inputs, const torch::Tensor& mask,
                                                     const std::vector<RecurrentState>& initial) {
  check_initial(options_, initial);
  return run_layers(layers, options_.dropout(), is_training(), inputs,
                    [&](RecurrentLayer& layer, size_t k, size_t, const torch::Tensor& input) {
                      return layer->forward_library(input, mask, initial.empty() ? RecurrentState{} : initial[k]);
                    });
}

RecurrentStackOutput RecurrentStackImpl::run_packed(const torch::Tensor& rows, const detail::PackedLayout& layout,
                                                    const std::vector<RecurrentState>& initial) {
  check_initial(options_, initial);
  const int64_t B = layout.batch, T = layout.time, H = options_.hidden_size();
  auto zeros = torch::zeros({B, H}, rows.options());
  RecurrentStackOutput out;
  torch::Tensor input = rows;  // (N, I), then (N, K)
  for (size_t k = 0; k < layers.size(); ++k) {
    if (k > 0)
      input = torch::nn::functional::dropout(
          input, torch::nn::functional::DropoutFuncOptions().p(options_.dropout()).training(is_training()));
    std::vector<torch::Tensor> outputs;
    std::vector<RecurrentState> finals;
    for (auto& layer : layers[k]) {
      auto gates = layer->input_gates(input);  // (N, G)
      auto slots = torch::zeros({T * B, gates.size(1)}, gates.options()).index_copy(0, layout.slot, gates);
      const auto& h0 = initial.empty() ? zeros : initial[k].h;
      const auto& c0 = initial.empty() ? zeros : initial[k].c;
      auto result = detail::LSTMRecurrence::apply(
          slots.view({T, B, -1}), h0.index_select(0, layout.order), c0.index_select(0, layout.order),
          layer->weight_hh, torch::empty({0}, rows.options()), layer->options().reverse(), layout.active);
      outputs.push_back(result[0].view({T * B, H}).index_select(0, layout.slot));  // (N, H)
      finals.push_back({result[1].index_select(0, layout.inverse), result[2].index_select(0, layout.inverse)});
    }
    input = outputs.size() == 1 ? outputs[0] : torch::cat(outputs, 1);  // (N, K)
    out.finals.push_back(std::move(finals));
  }
  out.states = torch::zeros({B * T, input.size(1)}, input.options()).index_copy(0, layout.real, input).view({B, T, -1});
  return out;
}

}  // namespace attn::nn
