#include "dnn/models/builder.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace miriam::dnn::graph {
namespace {

// He-uniform keeps activation magnitudes roughly constant through ReLU layers,
// so deep random models neither vanish nor overflow.
float he_bound(std::size_t fan_in) { return std::sqrt(6.0f / float(fan_in)); }
// PyTorch's default bias range.
float bias_bound(std::size_t fan_in) { return 1.0f / std::sqrt(float(fan_in)); }

}  // namespace

GraphBuilder::GraphBuilder(std::string name, const ModelOptions& options) {
  g_.name = std::move(name);
  g_.options = options;
}

void GraphBuilder::fail(const std::string& why) {
  if (error_.empty()) error_ = why;
}

std::string GraphBuilder::next_name(const char* what) {
  return std::string(what) + std::to_string(g_.ops.size());
}

Tensor GraphBuilder::new_tensor(const char* what, const TensorShape& shape) {
  TensorShape s = shape;
  if (s.n <= 0 || s.c <= 0 || s.h <= 0 || s.w <= 0) {
    fail(std::string(what) + " output would be empty (" + std::to_string(s.c) + "x" +
         std::to_string(s.h) + "x" + std::to_string(s.w) + "): input_hw " +
         std::to_string(g_.options.input_hw) + " is too small for " + g_.name);
    s = TensorShape{std::max(s.n, 1), std::max(s.c, 1), std::max(s.h, 1), std::max(s.w, 1)};
  }
  return Tensor{View{add_buffer(next_name(what), s.elements()), 0}, s};
}

int GraphBuilder::add_buffer(const std::string& name, std::size_t elements, bool persistent,
                             bool zero_initialised) {
  g_.buffers.push_back(Buffer{name, elements, persistent, zero_initialised});
  return int(g_.buffers.size()) - 1;
}

int GraphBuilder::add_param(const std::string& name, std::size_t elements, float lo, float hi,
                            bool counted) {
  g_.params.push_back(Param{name, elements, lo, hi, counted});
  return int(g_.params.size()) - 1;
}

int GraphBuilder::add_layer_weights(int weight, int bias, int out_channels) {
  LayerWeights lw;
  lw.weight = weight;
  lw.bias = bias;
  lw.out_channels = out_channels;
  g_.layers.push_back(lw);
  return int(g_.layers.size()) - 1;
}

void GraphBuilder::add_op(Op op) { g_.ops.push_back(std::move(op)); }

Tensor GraphBuilder::emit(Op op, const char* what, const TensorShape& shape,
                          std::vector<View> inputs) {
  const Tensor y = new_tensor(what, shape);
  op.in = std::move(inputs);
  op.out = {y.view};
  add_op(std::move(op));
  return y;
}

Tensor GraphBuilder::input(const TensorShape& shape) {
  g_.input = add_buffer("input", shape.elements(), /*persistent=*/true);
  g_.input_shape = shape;
  return Tensor{View{g_.input, 0}, shape};
}

Tensor GraphBuilder::conv(const Tensor& x, int out_channels, int kernel, int stride, int pad,
                          Activation act, bool bias, bool batch_norm) {
  Op op;
  op.kind = OpKind::Conv;
  op.act = act;
  op.conv = Conv2dShape{x.shape.n, x.shape.c, x.shape.h, x.shape.w, out_channels,
                        kernel,    kernel,    stride,    pad};
  const std::string name = next_name("conv");
  const std::size_t fan_in = std::size_t(x.shape.c) * kernel * kernel;
  const int w = add_param(name + ".weight", std::size_t(out_channels) * fan_in, -he_bound(fan_in),
                          he_bound(fan_in));
  const int b =
      bias ? add_param(name + ".bias", out_channels, -bias_bound(fan_in), bias_bound(fan_in)) : -1;
  op.weights = add_layer_weights(w, b, out_channels);
  if (batch_norm) {
    LayerWeights& lw = g_.layers[op.weights];
    lw.bn = add_param(name + ".bn.weight", out_channels, 0.5f, 1.0f);
    add_param(name + ".bn.bias", out_channels, -0.1f, 0.1f);
    add_param(name + ".bn.running_mean", out_channels, -0.1f, 0.1f, /*counted=*/false);
    add_param(name + ".bn.running_var", out_channels, 0.5f, 1.5f, /*counted=*/false);
  }
  return emit(op, "conv", TensorShape{x.shape.n, out_channels, op.conv.p(), op.conv.q()}, {x.view});
}

Tensor GraphBuilder::depthwise_conv(const Tensor& x, int kernel, int stride, int pad,
                                    Activation act) {
  Op op;
  op.kind = OpKind::DepthwiseConv;
  op.act = act;
  const int c = x.shape.c;
  op.conv = Conv2dShape{x.shape.n, c, x.shape.h, x.shape.w, c, kernel, kernel, stride, pad};
  const std::string name = next_name("dwconv");
  const std::size_t fan_in = std::size_t(kernel) * kernel;
  const int w =
      add_param(name + ".weight", std::size_t(c) * fan_in, -he_bound(fan_in), he_bound(fan_in));
  op.weights = add_layer_weights(w, -1, c);
  LayerWeights& lw = g_.layers[op.weights];
  lw.bn = add_param(name + ".bn.weight", c, 0.5f, 1.0f);
  add_param(name + ".bn.bias", c, -0.1f, 0.1f);
  add_param(name + ".bn.running_mean", c, -0.1f, 0.1f, false);
  add_param(name + ".bn.running_var", c, 0.5f, 1.5f, false);
  return emit(op, "dwconv", TensorShape{x.shape.n, c, op.conv.p(), op.conv.q()}, {x.view});
}

Tensor GraphBuilder::linear(const Tensor& x, int out_features, Activation act) {
  Op op;
  op.kind = OpKind::Gemm;
  op.label = "fc";
  op.act = act;
  const int in_features = x.shape.c * x.shape.h * x.shape.w;
  op.gemm = GemmShape{x.shape.n, out_features, in_features};
  const std::string name = next_name("fc");
  const int w = add_param(name + ".weight", std::size_t(out_features) * in_features,
                          -he_bound(in_features), he_bound(in_features));
  const int b =
      add_param(name + ".bias", out_features, -bias_bound(in_features), bias_bound(in_features));
  op.weights = add_layer_weights(w, b, out_features);
  return emit(op, "fc", TensorShape{x.shape.n, out_features, 1, 1}, {x.view});
}

Tensor GraphBuilder::max_pool(const Tensor& x, int kernel, int stride, int pad, bool ceil_mode) {
  Op op;
  op.kind = OpKind::MaxPool;
  op.pool = Pool2dShape{x.shape.n, x.shape.c, x.shape.h, x.shape.w, kernel,
                        kernel,    stride,    pad,       ceil_mode};
  // window_output_size can report 0 or less when the window does not fit.
  const bool fits = x.shape.h + 2 * pad >= kernel && x.shape.w + 2 * pad >= kernel;
  return emit(op, "maxpool",
              TensorShape{x.shape.n, x.shape.c, fits ? op.pool.p() : 0, fits ? op.pool.q() : 0},
              {x.view});
}

Tensor GraphBuilder::adaptive_avg_pool(const Tensor& x, int out) {
  if (x.shape.h == out && x.shape.w == out) return x;  // identity (224x224 inputs)
  Op op;
  op.kind = OpKind::AdaptiveAvgPool;
  op.pool = Pool2dShape{x.shape.n, x.shape.c, x.shape.h, x.shape.w};
  op.out_h = op.out_w = out;
  return emit(op, "adaptive_avgpool", TensorShape{x.shape.n, x.shape.c, out, out}, {x.view});
}

Tensor GraphBuilder::global_avg_pool(const Tensor& x) {
  Op op;
  op.kind = OpKind::GlobalAvgPool;
  op.rows = x.shape.n * x.shape.c;
  op.cols = x.shape.h * x.shape.w;
  return emit(op, "gap", TensorShape{x.shape.n, x.shape.c, 1, 1}, {x.view});
}

Tensor GraphBuilder::add(const Tensor& a, const Tensor& b, Activation act) {
  if (a.shape.elements() != b.shape.elements() || a.shape.c != b.shape.c)
    fail("residual add of different shapes in " + g_.name);
  Op op;
  op.kind = OpKind::ResidualAdd;
  op.act = act;
  op.count = a.shape.elements();
  return emit(op, "add", a.shape, {a.view, b.view});
}

Tensor GraphBuilder::concat(const Tensor& a, const Tensor& b) {
  if (a.shape.n != b.shape.n || a.shape.h != b.shape.h || a.shape.w != b.shape.w)
    fail("concat of different batch or spatial shapes in " + g_.name);
  Op op;
  op.kind = OpKind::Concat;
  op.channels = ChannelDims{a.shape.n, a.shape.c, b.shape.c, a.shape.h * a.shape.w};
  return emit(op, "concat", TensorShape{a.shape.n, a.shape.c + b.shape.c, a.shape.h, a.shape.w},
              {a.view, b.view});
}

Tensor GraphBuilder::lrn(const Tensor& x, const LrnParams& params) {
  Op op;
  op.kind = OpKind::Lrn;
  op.lrn = params;
  op.channels = ChannelDims{x.shape.n, x.shape.c, 0, x.shape.h * x.shape.w};
  return emit(op, "lrn", x.shape, {x.view});
}

Tensor GraphBuilder::softmax(const Tensor& x) {
  Op op;
  op.kind = OpKind::Softmax;
  op.rows = x.shape.n;
  op.cols = x.shape.c * x.shape.h * x.shape.w;
  return emit(op, "softmax", x.shape, {x.view});
}

Graph GraphBuilder::finish(const Tensor& output, std::string* error) {
  g_.output = output.view;
  g_.output_shape = output.shape;
  if (g_.output.buffer >= 0)
    g_.buffers[g_.output.buffer].persistent = true;  // read after forward()
  *error = error_.empty() ? validate(g_) : error_;
  return std::move(g_);
}

}  // namespace miriam::dnn::graph
