#pragma once
// Runs a model graph on the CPU reference layers (dnn/reference.h): the
// ground truth the GPU model is checked against. Meant for small shapes: the
// reference convolution is a plain loop nest.
#include <vector>

#include "dnn/models/graph.h"
#include "dnn/models/memory_plan.h"

namespace miriam::dnn::graph {

// One inference of `graph` (weights from its seed) on `input`
// (graph.input_shape.elements() values); returns the output. Each buffer has
// its own memory, unless `plan` is given: then buffers live in one arena at
// the plan's offsets, as on the GPU (a test of the plan).
std::vector<float> run_on_cpu(const Graph& graph, const std::vector<float>& input,
                              const MemoryPlan* plan = nullptr);

// PyTorch AdaptiveAvgPool2d, written from its definition (independent of
// adaptive_pool_matrix, which the GPU path uses).
void adaptive_avg_pool2d(int planes, int h, int w, int out_h, int out_w, const float* in,
                         float* out);

}  // namespace miriam::dnn::graph
