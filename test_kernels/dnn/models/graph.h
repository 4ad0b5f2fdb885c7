#pragma once
// A model as plain data: a list of layer operations over numbered activation
// buffers, with the weight tensors each operation reads. One builder function
// per architecture (architectures.h) makes it; executors interpret it: the
// GPU model (launch wrappers through a Launcher) and the CPU reference
// (cpu_executor.h). Plain C++, no CUDA, so CI can check every graph.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dnn/models/model_options.h"
#include "dnn/conv_split.h"
#include "dnn/shapes.h"

namespace miriam::dnn::graph {

// NCHW; fully connected activations are [n][c][1][1], RNN sequences
// [steps][batch][features] stored as n = steps * batch, c = features.
struct TensorShape {
  int n = 1, c = 1, h = 1, w = 1;
  std::size_t elements() const { return std::size_t(n) * c * h * w; }
};

// A buffer, or a slice of one starting `offset` elements in.
struct View {
  int buffer = -1;
  std::size_t offset = 0;
};

struct Buffer {
  std::string name;
  std::size_t elements = 0;
  // Keeps its memory for the model's life (never shared with another buffer):
  // the input, the output and zero initial RNN states.
  bool persistent = false;
  // Zero from creation on and never written (RNN initial h and c): read
  // before any write in forward(), like the input.
  bool zero_initialised = false;
};

// A weight tensor as PyTorch holds it, drawn uniformly from [lo, hi).
struct Param {
  std::string name;
  std::size_t elements = 0;
  float lo = 0.0f, hi = 0.0f;
  // torchvision counts conv/linear weights and biases and BN weight (gamma) and
  // bias (beta); BN running mean and variance are buffers, not parameters.
  bool counted = true;
};

// The weights one layer reads: `weight` is [out_channels][...], `bias` may be
// absent; a batch norm after the layer (gamma, beta, mean, var: four
// consecutive params from `bn`) is folded into both before execution.
struct LayerWeights {
  int weight = -1, bias = -1, bn = -1;  // indices into Graph::params
  int out_channels = 0;
  float bn_eps = 1e-5f;
};

enum class OpKind {
  Conv,             // launch_conv2d: in {x}, out {y}, conv, act, weights
  DepthwiseConv,    // launch_depthwise_conv2d: as Conv
  Gemm,             // launch_gemm: in {a}, out {c}, gemm, act, weights
  MaxPool,          // launch_max_pool2d: in {x}, out {y}, pool
  AdaptiveAvgPool,  // PyTorch AdaptiveAvgPool2d: in {x}, out {y}, pool.{n,c,h,w}, out_h, out_w
  GlobalAvgPool,    // launch_global_avg_pool: in {x}, out {y}, rows = planes, cols = hw
  ResidualAdd,      // launch_residual_add: in {a, b}, out {y}, count, act
  Concat,           // launch_concat_channels: in {a, b}, out {y}, channels
  Lrn,              // launch_lrn: in {x}, out {y}, lrn, channels.{n, ca = c, hw}
  Softmax,          // launch_softmax_rows: in {x}, out {y}, rows, cols
  // launch_lstm_cell: in {gates_x, gates_h, c_prev}, out {h, c}, rows = batch, cols = hidden
  LstmCell,
  // launch_gru_cell: in {gates_x, gates_h, h_prev}, out {h}, rows = batch, cols = hidden
  GruCell,
};

const char* op_kind_name(OpKind kind);

// [n][ca + cb][hw] from [n][ca][hw] and [n][cb][hw] (concat); LRN uses n, ca, hw.
struct ChannelDims {
  int n = 0, ca = 0, cb = 0, hw = 0;
};

// One kernel launch. Only the fields its kind names (above) are meaningful.
struct Op {
  OpKind kind = OpKind::Conv;
  const char* label = "";  // trace label for GEMMs ("fc", "lstm_gates"); static storage
  Activation act = Activation::None;
  Conv2dShape conv;
  Pool2dShape pool;
  int out_h = 0, out_w = 0;
  GemmShape gemm;
  LrnParams lrn;
  ChannelDims channels;
  int rows = 0, cols = 0;
  std::size_t count = 0;
  std::vector<View> in, out;
  int weights = -1;  // index into Graph::layers; RNN steps share their layer's
};

struct Graph {
  std::string name;
  ModelOptions options;  // with the architecture's defaults filled in
  std::vector<Buffer> buffers;
  std::vector<Param> params;
  std::vector<LayerWeights> layers;
  std::vector<Op> ops;
  int input = -1;
  TensorShape input_shape;
  View output;
  TensorShape output_shape;

  // Parameters in torchvision's convention (Param::counted).
  std::size_t parameter_count() const;
  // One per op, plus the reduction launch of each split-K conv (options.conv_split_depth).
  std::size_t kernels_per_inference() const;
};

// The split-K plan of a Conv op under the graph's options.conv_split_depth
// (splits == 1: the op runs unsplit). Depthwise convs never split.
ConvSplit conv_split_of(const Graph& graph, const Op& op);
// Workspace floats the largest split conv of the graph needs; 0 with none.
std::size_t conv_split_workspace_elements(const Graph& graph);

// Elements each operand of `op` touches, in the order of op.in / op.out.
std::vector<std::size_t> input_extents(const Op& op);
std::vector<std::size_t> output_extents(const Op& op);

// Checks that every op's dimensions are positive and consistent, that every
// operand lies inside its buffer, that no op writes memory it reads, and that
// every buffer is written before it is read (persistent ones excepted).
// Returns "" or a description of the first problem.
std::string validate(const Graph& graph);

}  // namespace miriam::dnn::graph
