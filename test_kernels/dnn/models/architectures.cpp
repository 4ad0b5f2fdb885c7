// Name -> architecture, and each architecture's default options.
#include "dnn/models/architectures.h"

#include <climits>

namespace miriam::dnn {
namespace {

struct Architecture {
  const char* name;
  graph::Graph (*build)(const ModelOptions&, std::string*);
  int input_hw;        // 0 for the recurrent models
  int small_input_hw;  // smallest convenient input that keeps every layer non-empty
};

const Architecture kArchitectures[] = {
    {"alexnet", graph::build_alexnet, 224, 64},
    {"cifarnet", graph::build_cifarnet, 32, 32},
    {"resnet18", graph::build_resnet18, 224, 32},
    {"resnet50", graph::build_resnet50, 224, 32},
    {"vgg16", graph::build_vgg16, 224, 32},
    {"squeezenet", graph::build_squeezenet, 224, 48},
    {"mobilenet_v2", graph::build_mobilenet_v2, 224, 32},
    {"lstm", graph::build_lstm, 0, 0},
    {"gru", graph::build_gru, 0, 0},
};

const Architecture* find(const std::string& name) {
  for (const Architecture& a : kArchitectures)
    if (name == a.name) return &a;
  return nullptr;
}

}  // namespace

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const Architecture& a : kArchitectures) names.emplace_back(a.name);
  return names;
}

namespace graph {

bool resolve_options(const std::string& name, ModelOptions* o, std::string* error) {
  const Architecture* arch = find(name);
  if (!arch) {
    std::string known;
    for (const std::string& n : model_names()) known += (known.empty() ? "" : ", ") + n;
    *error = "unknown model '" + name + "' (known: " + known + ")";
    return false;
  }
  auto fill = [](int& field, int value) {
    if (field == 0) field = value;
  };
  if (arch->input_hw > 0) {
    fill(o->input_hw, arch->input_hw);
  } else {
    fill(o->seq_len, kDefaultSeqLen);
    fill(o->rnn_input, kDefaultRnnInput);
    fill(o->rnn_hidden, kDefaultRnnHidden);
    fill(o->rnn_layers, kDefaultRnnLayers);
  }
  // Generous bounds; the kernels index with int, checked per layer again at launch.
  const bool bad = o->batch <= 0 || o->batch > 4096 || o->input_hw < 0 || o->input_hw > 4096 ||
                   o->seq_len < 0 || o->seq_len > 100000 || o->rnn_input < 0 || o->rnn_hidden < 0 ||
                   o->rnn_layers < 0 || o->rnn_layers > 64 || o->conv_split_depth < 0 ||
                   (arch->input_hw == 0 && (o->rnn_input == 0 || o->rnn_hidden == 0 ||
                                            o->seq_len == 0 || o->rnn_layers == 0));
  if (bad) {
    *error = name + ": invalid options (batch " + std::to_string(o->batch) + ", input_hw " +
             std::to_string(o->input_hw) + ", seq_len " + std::to_string(o->seq_len) +
             ", rnn_input " + std::to_string(o->rnn_input) + ", rnn_hidden " +
             std::to_string(o->rnn_hidden) + ", rnn_layers " + std::to_string(o->rnn_layers) + ", conv_split_depth " +
             std::to_string(o->conv_split_depth) + ")";
    return false;
  }
  return true;
}

bool build_graph(const std::string& name, const ModelOptions& options, Graph* graph,
                 std::string* error) {
  ModelOptions resolved = options;
  if (!resolve_options(name, &resolved, error)) return false;
  std::string problem;
  Graph g = find(name)->build(resolved, &problem);
  if (!problem.empty()) {
    *error = name + ": " + problem;
    return false;
  }
  // Every element count must fit the kernels' int indexing.
  for (const Buffer& b : g.buffers)
    if (b.elements > std::size_t(INT_MAX)) {
      *error = name + ": buffer " + b.name + " has " + std::to_string(b.elements) +
               " elements, more than the kernels' int indexing allows (reduce the batch)";
      return false;
    }
  *graph = std::move(g);
  return true;
}

ModelOptions small_options(const std::string& name, int batch, std::uint64_t seed) {
  ModelOptions o;
  o.batch = batch;
  o.seed = seed;
  if (const Architecture* arch = find(name); arch && arch->input_hw > 0) {
    o.input_hw = arch->small_input_hw;
  } else {
    o.seq_len = 5;
    o.rnn_input = 24;
    o.rnn_hidden = 40;
    o.rnn_layers = 2;
  }
  return o;
}

}  // namespace graph
}  // namespace miriam::dnn
