#pragma once
// Deterministic weights and inputs. Every param is drawn from its own stream
// (seed, param index), so values do not depend on the order layers are made
// in, and the GPU model and the CPU reference see identical numbers.
#include <cstdint>
#include <vector>

#include "dnn/models/graph.h"

namespace miriam::dnn::graph {

// n values uniform in [lo, hi) from the stream (seed, stream).
std::vector<float> random_uniform(std::size_t n, float lo, float hi, std::uint64_t seed,
                                  std::uint64_t stream);

// The values of graph.params[param] for graph.options.seed.
std::vector<float> param_values(const Graph& graph, int param);

// A layer's weight and bias as its kernel reads them, batch norm folded in:
// scale = gamma / sqrt(var + eps); weight[k][...] *= scale[k];
// bias[k] = bias[k] * scale[k] + beta[k] - mean[k] * scale[k]. bias is empty
// when the layer has neither a bias nor a batch norm.
struct FoldedWeights {
  std::vector<float> weight, bias;
};
FoldedWeights folded_weights(const Graph& graph, int layer);

// The model's default input: uniform in [-1, 1) from the seed.
std::vector<float> default_input(const Graph& graph);

// PyTorch AdaptiveAvgPool2d as a [out_h * out_w][h * w] matrix P, so that
// out[plane] = P * in[plane]: the GEMM view the GPU model launches it as.
std::vector<float> adaptive_pool_matrix(int h, int w, int out_h, int out_w);

}  // namespace miriam::dnn::graph
