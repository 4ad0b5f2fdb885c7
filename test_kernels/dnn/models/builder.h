#pragma once
// Helpers the architecture functions build graphs with: each call adds one
// layer (its weights, output buffer and op) in PyTorch's terms.
#include <string>
#include <vector>

#include "dnn/models/graph.h"

namespace miriam::dnn::graph {

struct Tensor {
  View view;
  TensorShape shape;
};

class GraphBuilder {
 public:
  GraphBuilder(std::string name, const ModelOptions& options);

  Tensor input(const TensorShape& shape);
  // nn.Conv2d (+ nn.BatchNorm2d when `batch_norm`, folded) + activation.
  Tensor conv(const Tensor& x, int out_channels, int kernel, int stride, int pad, Activation act,
              bool bias, bool batch_norm);
  // Depthwise nn.Conv2d (groups = channels, no bias) + BatchNorm2d + activation.
  Tensor depthwise_conv(const Tensor& x, int kernel, int stride, int pad, Activation act);
  // nn.Linear over the flattened [n][c*h*w] input.
  Tensor linear(const Tensor& x, int out_features, Activation act);
  Tensor max_pool(const Tensor& x, int kernel, int stride, int pad, bool ceil_mode = false);
  // nn.AdaptiveAvgPool2d(out); no op when the input already has that size.
  Tensor adaptive_avg_pool(const Tensor& x, int out);
  Tensor global_avg_pool(const Tensor& x);
  Tensor add(const Tensor& a, const Tensor& b, Activation act);
  Tensor concat(const Tensor& a, const Tensor& b);
  Tensor lrn(const Tensor& x, const LrnParams& params);
  Tensor softmax(const Tensor& x);

  // Lower level, for the recurrent models.
  int add_buffer(const std::string& name, std::size_t elements, bool persistent = false,
                 bool zero_initialised = false);
  int add_param(const std::string& name, std::size_t elements, float lo, float hi,
                bool counted = true);
  int add_layer_weights(int weight, int bias, int out_channels);
  void add_op(Op op);
  void fail(const std::string& why);

  // The finished graph, validated; "" in *error on success.
  Graph finish(const Tensor& output, std::string* error);

 private:
  Tensor new_tensor(const char* what, const TensorShape& shape);
  // Adds `op` reading `inputs` and writing a new tensor of `shape`.
  Tensor emit(Op op, const char* what, const TensorShape& shape, std::vector<View> inputs);
  std::string next_name(const char* what);

  Graph g_;
  std::string error_;
};

}  // namespace miriam::dnn::graph
