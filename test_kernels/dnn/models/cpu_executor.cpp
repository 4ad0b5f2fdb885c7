#include "dnn/models/cpu_executor.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "dnn/models/weights.h"
#include "dnn/reference.h"

namespace miriam::dnn::graph {

void adaptive_avg_pool2d(int planes, int h, int w, int out_h, int out_w, const float* in,
                         float* out) {
  for (int plane = 0; plane < planes; ++plane)
    for (int oy = 0; oy < out_h; ++oy)
      for (int ox = 0; ox < out_w; ++ox) {
        // floor(i * in / out) .. ceil((i + 1) * in / out)
        const int y0 = oy * h / out_h, y1 = ((oy + 1) * h + out_h - 1) / out_h;
        const int x0 = ox * w / out_w, x1 = ((ox + 1) * w + out_w - 1) / out_w;
        double sum = 0.0;
        for (int y = y0; y < y1; ++y)
          for (int x = x0; x < x1; ++x) sum += in[(std::size_t(plane) * h + y) * w + x];
        out[(std::size_t(plane) * out_h + oy) * out_w + ox] = float(sum / ((y1 - y0) * (x1 - x0)));
      }
}

std::vector<float> run_on_cpu(const Graph& g, const std::vector<float>& input,
                              const MemoryPlan* plan) {
  if (input.size() != g.input_shape.elements())
    throw std::invalid_argument("run_on_cpu: input has the wrong number of elements");
  // NaN everywhere but the input and zero states: a read of an element no op
  // wrote poisons the output instead of passing silently.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<std::vector<float>> own(g.buffers.size());
  std::vector<float> arena;
  std::vector<float*> buffers(g.buffers.size());
  if (plan) arena.assign(plan->total_elements, nan);
  for (std::size_t b = 0; b < g.buffers.size(); ++b) {
    if (plan) {
      buffers[b] = arena.data() + plan->offsets.at(b);
    } else {
      own[b].resize(g.buffers[b].elements);
      buffers[b] = own[b].data();
    }
    std::fill(buffers[b], buffers[b] + g.buffers[b].elements,
              g.buffers[b].zero_initialised ? 0.0f : nan);
  }
  std::copy(input.begin(), input.end(), buffers[g.input]);
  std::vector<FoldedWeights> weights(g.layers.size());
  std::vector<bool> loaded(g.layers.size(), false);

  for (const Op& op : g.ops) {
    auto in = [&](std::size_t i) { return buffers[op.in[i].buffer] + op.in[i].offset; };
    auto out = [&](std::size_t i) { return buffers[op.out[i].buffer] + op.out[i].offset; };
    const float* w = nullptr;
    const float* bias = nullptr;
    if (op.weights >= 0) {
      if (!loaded[op.weights]) weights[op.weights] = folded_weights(g, op.weights);
      loaded[op.weights] = true;
      w = weights[op.weights].weight.data();
      if (!weights[op.weights].bias.empty()) bias = weights[op.weights].bias.data();
    }
    switch (op.kind) {
      case OpKind::Conv: ref::conv2d(op.conv, in(0), w, bias, out(0), op.act); break;
      case OpKind::DepthwiseConv:
        ref::depthwise_conv2d(op.conv, in(0), w, bias, out(0), op.act);
        break;
      case OpKind::Gemm: ref::gemm(op.gemm, in(0), w, bias, out(0), op.act); break;
      case OpKind::MaxPool: ref::max_pool2d(op.pool, in(0), out(0)); break;
      case OpKind::AdaptiveAvgPool:
        adaptive_avg_pool2d(op.pool.n * op.pool.c, op.pool.h, op.pool.w, op.out_h, op.out_w, in(0),
                            out(0));
        break;
      case OpKind::GlobalAvgPool: ref::global_avg_pool(op.rows, op.cols, in(0), out(0)); break;
      case OpKind::ResidualAdd:
        ref::residual_add(int(op.count), in(0), in(1), out(0), op.act);
        break;
      case OpKind::Concat:
        ref::concat_channels(op.channels.n, op.channels.ca, op.channels.cb, op.channels.hw, in(0), in(1),
                             out(0));
        break;
      case OpKind::Lrn:
        ref::lrn(op.channels.n, op.channels.ca, op.channels.hw, op.lrn, in(0), out(0));
        break;
      case OpKind::Softmax: ref::softmax_rows(op.rows, op.cols, in(0), out(0)); break;
      case OpKind::LstmCell:
        ref::lstm_cell(op.rows, op.cols, in(0), in(1), in(2), out(0), out(1));
        break;
      case OpKind::GruCell: ref::gru_cell(op.rows, op.cols, in(0), in(1), in(2), out(0)); break;
    }
  }
  const float* result = buffers[g.output.buffer] + g.output.offset;
  return std::vector<float>(result, result + g.output_shape.elements());
}

}  // namespace miriam::dnn::graph
