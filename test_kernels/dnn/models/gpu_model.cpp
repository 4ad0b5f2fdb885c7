// The GPU executor: a Model that owns one weight allocation and one
// activation arena (laid out by plan_memory), both made and filled at
// creation, and whose forward() walks the graph and hands every layer to the
// launch wrappers through the caller's Launcher. forward() allocates nothing.
#include <cuda_runtime_api.h>

#include <utility>

#include "dnn/layers.cuh"
#include "dnn/models/architectures.h"
#include "dnn/models/memory_plan.h"
#include "dnn/models/model.h"
#include "dnn/models/weights.h"

namespace miriam::dnn {
namespace {

using graph::Graph;
using graph::Op;
using graph::OpKind;

constexpr std::size_t kAlignment = 64;  // floats: 256 bytes, as cudaMalloc aligns

std::size_t aligned(std::size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

class GraphModel final : public Model {
 public:
  explicit GraphModel(Graph g) : graph_(std::move(g)) {}
  GraphModel(const GraphModel&) = delete;
  GraphModel& operator=(const GraphModel&) = delete;
  ~GraphModel() override {
    if (arena_) cudaFree(arena_);
    if (weights_) cudaFree(weights_);
  }

  // Allocates and fills everything; returns the first CUDA error.
  cudaError_t initialise() {
    const graph::MemoryPlan plan = graph::plan_memory(graph_, kAlignment);
    if (cudaError_t e =
            cudaMalloc(reinterpret_cast<void**>(&arena_), plan.total_elements * sizeof(float)))
      return e;
    // 0xFF bytes are NaN: an op reading an element nothing wrote shows in the output.
    if (cudaError_t e = cudaMemset(arena_, 0xFF, plan.total_elements * sizeof(float))) return e;
    conv_workspace_ = plan.conv_workspace_elements > 0 ? arena_ + plan.conv_workspace_offset : nullptr;
    buffers_.resize(graph_.buffers.size());
    for (std::size_t b = 0; b < graph_.buffers.size(); ++b) {
      buffers_[b] = arena_ + plan.offsets[b];
      if (graph_.buffers[b].zero_initialised)
        if (cudaError_t e = cudaMemset(buffers_[b], 0, graph_.buffers[b].elements * sizeof(float)))
          return e;
    }
    if (cudaError_t e = upload_weights()) return e;
    const std::vector<float> input = graph::default_input(graph_);
    if (cudaError_t e = cudaMemcpy(buffers_[graph_.input], input.data(),
                                   input.size() * sizeof(float), cudaMemcpyHostToDevice))
      return e;
    return cudaDeviceSynchronize();  // ready for any stream, blocking or not
  }

  const std::string& name() const override { return graph_.name; }
  const ModelOptions& options() const override { return graph_.options; }
  float* input() override { return buffers_[graph_.input]; }
  std::size_t input_elements() const override { return graph_.input_shape.elements(); }
  const float* output() const override { return at(graph_.output); }
  std::size_t output_elements() const override { return graph_.output_shape.elements(); }
  std::size_t kernels_per_inference() const override { return graph_.kernels_per_inference(); }
  std::size_t parameter_count() const override { return graph_.parameter_count(); }

  cudaError_t forward(Launcher& launcher) override {
    for (std::size_t i = 0; i < graph_.ops.size(); ++i)
      if (cudaError_t e = launch(i, launcher)) return e;
    return cudaSuccess;
  }

 private:
  float* at(const graph::View& v) const { return buffers_[v.buffer] + v.offset; }

  cudaError_t upload_weights() {
    // Sizes first, for one allocation: folded weight and bias per layer, and
    // the constant matrix of each adaptive pool.
    std::vector<std::size_t> weight_at(graph_.layers.size()), bias_at(graph_.layers.size());
    std::vector<std::size_t> matrix_at(graph_.ops.size());
    std::size_t total = 0;
    for (std::size_t l = 0; l < graph_.layers.size(); ++l) {
      const graph::LayerWeights& lw = graph_.layers[l];
      weight_at[l] = total;
      total += aligned(graph_.params[lw.weight].elements);
      bias_at[l] = total;
      if (lw.bias >= 0 || lw.bn >= 0) total += aligned(lw.out_channels);
    }
    for (std::size_t i = 0; i < graph_.ops.size(); ++i) {
      const Op& op = graph_.ops[i];
      if (op.kind != OpKind::AdaptiveAvgPool) continue;
      matrix_at[i] = total;
      total += aligned(std::size_t(op.out_h) * op.out_w * op.pool.h * op.pool.w);
    }
    if (total == 0) return cudaSuccess;
    if (cudaError_t e = cudaMalloc(reinterpret_cast<void**>(&weights_), total * sizeof(float)))
      return e;
    auto upload = [&](std::size_t at, const std::vector<float>& v) {
      return cudaMemcpy(weights_ + at, v.data(), v.size() * sizeof(float), cudaMemcpyHostToDevice);
    };
    layer_weights_.resize(graph_.layers.size());
    for (std::size_t l = 0; l < graph_.layers.size(); ++l) {
      const graph::FoldedWeights f = graph::folded_weights(graph_, int(l));
      if (cudaError_t e = upload(weight_at[l], f.weight)) return e;
      layer_weights_[l].weight = weights_ + weight_at[l];
      if (!f.bias.empty()) {
        if (cudaError_t e = upload(bias_at[l], f.bias)) return e;
        layer_weights_[l].bias = weights_ + bias_at[l];
      }
    }
    pool_matrices_.assign(graph_.ops.size(), nullptr);
    for (std::size_t i = 0; i < graph_.ops.size(); ++i) {
      const Op& op = graph_.ops[i];
      if (op.kind != OpKind::AdaptiveAvgPool) continue;
      if (cudaError_t e = upload(
              matrix_at[i], graph::adaptive_pool_matrix(op.pool.h, op.pool.w, op.out_h, op.out_w)))
        return e;
      pool_matrices_[i] = weights_ + matrix_at[i];
    }
    return cudaSuccess;
  }

  cudaError_t launch(std::size_t index, Launcher& launcher) {
    const Op& op = graph_.ops[index];
    auto in = [&](std::size_t i) { return at(op.in[i]); };
    auto out = [&](std::size_t i) { return at(op.out[i]); };
    const DeviceWeights w = op.weights >= 0 ? layer_weights_[op.weights] : DeviceWeights{};
    switch (op.kind) {
      case OpKind::Conv:
        if (const ConvSplit split = graph::conv_split_of(graph_, op); split.splits > 1)
          return launch_conv2d_split(op.conv, split, in(0), w.weight, w.bias, out(0), op.act,
                                     conv_workspace_, launcher);
        return launch_conv2d(op.conv, in(0), w.weight, w.bias, out(0), op.act, launcher);
      case OpKind::DepthwiseConv:
        return launch_depthwise_conv2d(op.conv, in(0), w.weight, w.bias, out(0), op.act, launcher);
      case OpKind::Gemm:
        return launch_gemm(op.gemm, in(0), w.weight, w.bias, out(0), op.act, launcher, op.label);
      case OpKind::MaxPool: return launch_max_pool2d(op.pool, in(0), out(0), launcher);
      case OpKind::AdaptiveAvgPool: {
        // out[plane][oh*ow] = in[plane][h*w] * P^T: one GEMM over all planes.
        const GemmShape sh{op.pool.n * op.pool.c, op.out_h * op.out_w, op.pool.h * op.pool.w};
        return launch_gemm(sh, in(0), pool_matrices_[index], nullptr, out(0), Activation::None,
                           launcher, "adaptive_avgpool");
      }
      case OpKind::GlobalAvgPool:
        return launch_global_avg_pool(op.rows, op.cols, in(0), out(0), launcher);
      case OpKind::ResidualAdd:
        return launch_residual_add(int(op.count), in(0), in(1), out(0), op.act, launcher);
      case OpKind::Concat:
        return launch_concat_channels(op.channels.n, op.channels.ca, op.channels.cb, op.channels.hw, in(0),
                                      in(1), out(0), launcher);
      case OpKind::Lrn:
        return launch_lrn(op.channels.n, op.channels.ca, op.channels.hw, op.lrn, in(0), out(0), launcher);
      case OpKind::Softmax: return launch_softmax_rows(op.rows, op.cols, in(0), out(0), launcher);
      case OpKind::LstmCell:
        return launch_lstm_cell(op.rows, op.cols, in(0), in(1), in(2), out(0), out(1), launcher);
      case OpKind::GruCell:
        return launch_gru_cell(op.rows, op.cols, in(0), in(1), in(2), out(0), launcher);
    }
    return cudaErrorInvalidValue;
  }

  struct DeviceWeights {
    const float* weight = nullptr;
    const float* bias = nullptr;
  };

  Graph graph_;
  float* arena_ = nullptr;
  float* weights_ = nullptr;
  std::vector<float*> buffers_;
  float* conv_workspace_ = nullptr;  // in the arena; split-K partial sums (memory_plan.h)
  std::vector<DeviceWeights> layer_weights_;
  std::vector<const float*> pool_matrices_;  // per op; set for adaptive pools
};

}  // namespace

std::unique_ptr<Model> make_model(const std::string& name, const ModelOptions& options,
                                  std::string* error) {
  std::string why;
  Graph g;
  if (!graph::build_graph(name, options, &g, &why)) {
    if (error) *error = why;
    return nullptr;
  }
  auto model = std::make_unique<GraphModel>(std::move(g));
  if (cudaError_t e = model->initialise()) {
    if (error) *error = name + ": CUDA error while creating the model: " + cudaGetErrorString(e);
    return nullptr;
  }
  return model;
}

}  // namespace miriam::dnn
