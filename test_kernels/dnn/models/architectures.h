#pragma once
// The nine benchmark architectures as graphs. Plain C++.
#include <string>
#include <vector>

#include "dnn/models/graph.h"

namespace miriam::dnn {

// "alexnet", "cifarnet", "resnet18", "resnet50", "vgg16", "squeezenet",
// "mobilenet_v2", "lstm", "gru".
std::vector<std::string> model_names();

namespace graph {

// Default RNN sizes (ModelOptions fields left 0).
constexpr int kDefaultSeqLen = 32, kDefaultRnnInput = 256, kDefaultRnnHidden = 512,
              kDefaultRnnLayers = 2;

// Fills the architecture's defaults into the zero fields of `options`; false
// (and why in *error) for an unknown name or invalid options.
bool resolve_options(const std::string& name, ModelOptions* options, std::string* error);

// Builds and validates the graph of `name`. false (and why in *error) for an
// unknown name, invalid options or an input too small for the architecture.
bool build_graph(const std::string& name, const ModelOptions& options, Graph* graph,
                 std::string* error);

// Options that make `name` cheap enough for the CPU reference (small input,
// short sequence) while keeping every layer of the architecture.
ModelOptions small_options(const std::string& name, int batch, std::uint64_t seed);

// One function per architecture (options already resolved).
Graph build_alexnet(const ModelOptions& o, std::string* error);
Graph build_cifarnet(const ModelOptions& o, std::string* error);
Graph build_resnet18(const ModelOptions& o, std::string* error);
Graph build_resnet50(const ModelOptions& o, std::string* error);
Graph build_vgg16(const ModelOptions& o, std::string* error);
Graph build_squeezenet(const ModelOptions& o, std::string* error);
Graph build_mobilenet_v2(const ModelOptions& o, std::string* error);
Graph build_lstm(const ModelOptions& o, std::string* error);
Graph build_gru(const ModelOptions& o, std::string* error);

}  // namespace graph
}  // namespace miriam::dnn
