#include "dnn/models/graph.h"

#include <algorithm>
#include <string>

namespace miriam::dnn::graph {
namespace {

std::size_t conv_in(const Conv2dShape& s) { return std::size_t(s.n) * s.c * s.h * s.w; }
std::size_t conv_out(const Conv2dShape& s) { return std::size_t(s.n) * s.k * s.p() * s.q(); }
std::size_t pool_in(const Pool2dShape& s) { return std::size_t(s.n) * s.c * s.h * s.w; }
std::size_t pool_out(const Pool2dShape& s) { return std::size_t(s.n) * s.c * s.p() * s.q(); }

// Dimension errors that the extents alone would not show.
std::string dims_problem(const Op& op) {
  switch (op.kind) {
    case OpKind::Conv:
    case OpKind::DepthwiseConv: {
      const Conv2dShape& s = op.conv;
      if (s.n <= 0 || s.c <= 0 || s.h <= 0 || s.w <= 0 || s.k <= 0 || s.r <= 0 || s.s <= 0 ||
          s.stride <= 0 || s.pad < 0 || s.p() <= 0 || s.q() <= 0)
        return "convolution with an empty input, filter or output";
      if (op.kind == OpKind::DepthwiseConv && s.k != s.c) return "depthwise conv with k != c";
      return op.weights < 0 ? "convolution without weights" : "";
    }
    case OpKind::Gemm:
      if (op.gemm.m <= 0 || op.gemm.n <= 0 || op.gemm.k <= 0) return "empty GEMM";
      return op.weights < 0 ? "GEMM without weights" : "";
    case OpKind::MaxPool: {
      const Pool2dShape& s = op.pool;
      if (s.n <= 0 || s.c <= 0 || s.h <= 0 || s.w <= 0 || s.stride <= 0 || s.p() <= 0 || s.q() <= 0)
        return "pool with an empty input or output (input too small for this architecture?)";
      return "";
    }
    case OpKind::AdaptiveAvgPool:
      if (op.pool.n <= 0 || op.pool.c <= 0 || op.pool.h <= 0 || op.pool.w <= 0 || op.out_h <= 0 ||
          op.out_w <= 0)
        return "empty adaptive pool";
      return "";
    case OpKind::GlobalAvgPool:
    case OpKind::Softmax:
    case OpKind::LstmCell:
    case OpKind::GruCell: return op.rows <= 0 || op.cols <= 0 ? "empty rows or columns" : "";
    case OpKind::ResidualAdd: return op.count == 0 ? "empty residual add" : "";
    case OpKind::Concat:
    case OpKind::Lrn:
      if (op.channels.n <= 0 || op.channels.ca <= 0 || op.channels.hw <= 0 ||
          (op.kind == OpKind::Concat && op.channels.cb <= 0))
        return "empty channel operation";
      return "";
  }
  return "unknown op kind";
}

}  // namespace

const char* op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::Conv: return "conv";
    case OpKind::DepthwiseConv: return "depthwise_conv";
    case OpKind::Gemm: return "gemm";
    case OpKind::MaxPool: return "max_pool";
    case OpKind::AdaptiveAvgPool: return "adaptive_avg_pool";
    case OpKind::GlobalAvgPool: return "global_avg_pool";
    case OpKind::ResidualAdd: return "residual_add";
    case OpKind::Concat: return "concat";
    case OpKind::Lrn: return "lrn";
    case OpKind::Softmax: return "softmax";
    case OpKind::LstmCell: return "lstm_cell";
    case OpKind::GruCell: return "gru_cell";
  }
  return "?";
}

std::size_t Graph::parameter_count() const {
  std::size_t total = 0;
  for (const Param& p : params)
    if (p.counted) total += p.elements;
  return total;
}

std::size_t Graph::kernels_per_inference() const {
  std::size_t kernels = ops.size();
  for (const Op& op : ops)
    if (conv_split_of(*this, op).splits > 1) ++kernels;
  return kernels;
}

ConvSplit conv_split_of(const Graph& graph, const Op& op) {
  if (op.kind != OpKind::Conv) return ConvSplit{1, 0};
  return plan_conv_split(op.conv, graph.options.conv_split_depth);
}

std::size_t conv_split_workspace_elements(const Graph& graph) {
  std::size_t most = 0;
  for (const Op& op : graph.ops)
    most = std::max(most, conv_split_workspace_elements(op.conv, conv_split_of(graph, op)));
  return most;
}

std::vector<std::size_t> input_extents(const Op& op) {
  const std::size_t rc = std::size_t(op.rows) * op.cols;
  const ChannelDims& d = op.channels;
  switch (op.kind) {
    case OpKind::Conv:
    case OpKind::DepthwiseConv: return {conv_in(op.conv)};
    case OpKind::Gemm: return {std::size_t(op.gemm.m) * op.gemm.k};
    case OpKind::MaxPool:
    case OpKind::AdaptiveAvgPool: return {pool_in(op.pool)};
    case OpKind::GlobalAvgPool:
    case OpKind::Softmax: return {rc};
    case OpKind::ResidualAdd: return {op.count, op.count};
    case OpKind::Concat: return {std::size_t(d.n) * d.ca * d.hw, std::size_t(d.n) * d.cb * d.hw};
    case OpKind::Lrn: return {std::size_t(d.n) * d.ca * d.hw};
    case OpKind::LstmCell: return {4 * rc, 4 * rc, rc};
    case OpKind::GruCell: return {3 * rc, 3 * rc, rc};
  }
  return {};
}

std::vector<std::size_t> output_extents(const Op& op) {
  const std::size_t rc = std::size_t(op.rows) * op.cols;
  const ChannelDims& d = op.channels;
  switch (op.kind) {
    case OpKind::Conv:
    case OpKind::DepthwiseConv: return {conv_out(op.conv)};
    case OpKind::Gemm: return {std::size_t(op.gemm.m) * op.gemm.n};
    case OpKind::MaxPool: return {pool_out(op.pool)};
    case OpKind::AdaptiveAvgPool: return {std::size_t(op.pool.n) * op.pool.c * op.out_h * op.out_w};
    case OpKind::GlobalAvgPool: return {std::size_t(op.rows)};
    case OpKind::Softmax: return {rc};
    case OpKind::ResidualAdd: return {op.count};
    case OpKind::Concat: return {std::size_t(d.n) * (d.ca + d.cb) * d.hw};
    case OpKind::Lrn: return {std::size_t(d.n) * d.ca * d.hw};
    case OpKind::LstmCell: return {rc, rc};
    case OpKind::GruCell: return {rc};
  }
  return {};
}

std::string validate(const Graph& g) {
  if (g.input < 0 || g.input >= int(g.buffers.size())) return "no input buffer";
  if (g.buffers[g.input].elements != g.input_shape.elements())
    return "input buffer size != input shape";
  std::vector<bool> written(g.buffers.size(), false);
  written[g.input] = true;
  for (std::size_t b = 0; b < g.buffers.size(); ++b) {
    const Buffer& buf = g.buffers[b];
    if (buf.zero_initialised) written[b] = true;
    if (buf.zero_initialised && !buf.persistent)
      return "zero-initialised buffer " + buf.name + " is not persistent";
  }

  auto view_problem = [&](const View& v, std::size_t extent) -> std::string {
    if (v.buffer < 0 || v.buffer >= int(g.buffers.size())) return "operand names no buffer";
    const Buffer& b = g.buffers[v.buffer];
    if (extent == 0) return "empty operand of buffer " + b.name;
    if (v.offset + extent > b.elements)
      return "operand [" + std::to_string(v.offset) + ", +" + std::to_string(extent) +
             ") overruns buffer " + b.name + " (" + std::to_string(b.elements) + " elements)";
    return "";
  };

  for (std::size_t i = 0; i < g.ops.size(); ++i) {
    const Op& op = g.ops[i];
    const std::string where = "op " + std::to_string(i) + " (" + op_kind_name(op.kind) + "): ";
    if (std::string p = dims_problem(op); !p.empty()) return where + p;
    if (op.weights >= int(g.layers.size())) return where + "weights index out of range";
    const auto in_ext = input_extents(op), out_ext = output_extents(op);
    if (op.in.size() != in_ext.size() || op.out.size() != out_ext.size())
      return where + "wrong number of operands";
    for (std::size_t k = 0; k < op.in.size(); ++k) {
      if (std::string p = view_problem(op.in[k], in_ext[k]); !p.empty()) return where + p;
      if (!written[op.in[k].buffer])
        return where + "reads buffer " + g.buffers[op.in[k].buffer].name + " before any write";
    }
    for (std::size_t k = 0; k < op.out.size(); ++k) {
      if (std::string p = view_problem(op.out[k], out_ext[k]); !p.empty()) return where + p;
      const Buffer& target = g.buffers[op.out[k].buffer];
      if (op.out[k].buffer == g.input || target.zero_initialised)
        return where + "writes " + target.name + ", which forward() must find unchanged";
      for (std::size_t j = 0; j < op.in.size(); ++j) {
        const View& in = op.in[j];
        const View& out = op.out[k];
        if (in.buffer == out.buffer && in.offset < out.offset + out_ext[k] &&
            out.offset < in.offset + in_ext[j])
          return where + "writes the part of buffer " + g.buffers[out.buffer].name + " it reads";
      }
    }
    for (const View& out : op.out) written[out.buffer] = true;
  }
  if (std::string p = view_problem(g.output, g.output_shape.elements()); !p.empty())
    return "output: " + p;
  if (!written[g.output.buffer]) return "output buffer never written";
  return "";
}

}  // namespace miriam::dnn::graph
