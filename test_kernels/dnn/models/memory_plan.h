#pragma once
// Where each activation buffer lives in one device arena. Buffers whose
// lifetimes (first to last op touching them) do not overlap share memory, so
// a model needs about its widest layer's activations, not their sum.
#include <cstddef>
#include <vector>

#include "dnn/models/graph.h"

namespace miriam::dnn::graph {

struct MemoryPlan {
  std::vector<std::size_t> offsets;  // per buffer, in elements
  // Scratch of the split-K convs (graph::conv_split_workspace_elements), shared
  // by all of them (each uses it only within its own two launches) and by no
  // buffer; after the buffers. 0 elements when no conv splits.
  std::size_t conv_workspace_offset = 0;
  std::size_t conv_workspace_elements = 0;
  std::size_t total_elements = 0;
};

// Offsets are multiples of `alignment` elements (64 floats = 256 bytes, the
// alignment cudaMalloc gives). Persistent buffers never share.
MemoryPlan plan_memory(const Graph& graph, std::size_t alignment = 64);

// First and last op index touching each buffer; persistent buffers span
// [0, ops.size()]. Buffers no op touches get first > last.
struct Lifetime {
  std::size_t first = 1, last = 0;
};
std::vector<Lifetime> buffer_lifetimes(const Graph& graph);

}  // namespace miriam::dnn::graph
