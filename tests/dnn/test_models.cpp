// CPU-only tests of the benchmark models: every architecture's graph is
// consistent and has torchvision's parameter count and layer shapes; the CPU
// reference forward is deterministic per seed and finite; the memory plan
// never lets two live buffers share memory. The GPU model is checked against
// the same CPU forward by gpu_models_check.cu.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "dnn/models/architectures.h"
#include "dnn/models/builder.h"
#include "dnn/models/cpu_executor.h"
#include "dnn/models/memory_plan.h"
#include "dnn/models/weights.h"
#include "dnn/reference.h"

using namespace miriam::dnn;
using namespace miriam::dnn::graph;

namespace {

Graph build(const std::string& name, const ModelOptions& options = {}) {
  Graph g;
  std::string error;
  INFO(name);
  REQUIRE_MESSAGE(build_graph(name, options, &g, &error), error);
  return g;
}

bool is_rnn(const std::string& name) { return name == "lstm" || name == "gru"; }

// The first op of `kind`, or nullptr.
const Op* first_op(const Graph& g, OpKind kind) {
  for (const Op& op : g.ops)
    if (op.kind == kind) return &op;
  return nullptr;
}

const Op* last_op(const Graph& g, OpKind kind) {
  const Op* found = nullptr;
  for (const Op& op : g.ops)
    if (op.kind == kind) found = &op;
  return found;
}

// nn.LSTM / nn.GRU parameters: per layer gates*H*(in + H) weights and 2*gates*H biases.
std::size_t rnn_parameters(int gates, int input, int hidden, int layers) {
  std::size_t total = 0;
  for (int l = 0; l < layers; ++l) {
    const std::size_t in = l == 0 ? input : hidden;
    total += std::size_t(gates) * hidden * (in + hidden) + 2 * std::size_t(gates) * hidden;
  }
  return total;
}

}  // namespace

TEST_CASE("model_names lists the nine architectures, each builds and validates") {
  const std::vector<std::string> names = model_names();
  CHECK(names == std::vector<std::string>{"alexnet", "cifarnet", "resnet18", "resnet50", "vgg16",
                                          "squeezenet", "mobilenet_v2", "lstm", "gru"});
  for (const std::string& name : names) {
    CAPTURE(name);
    for (int batch : {1, 3}) {
      ModelOptions o;
      o.batch = batch;
      const Graph g = build(name, o);
      CHECK(validate(g) == "");
      CHECK(g.options.batch == batch);
      CHECK(g.output_shape.n == batch);
      const int classes = name == "cifarnet" ? 10 : 1000;
      CHECK(g.output_shape.elements() ==
            std::size_t(batch) * (is_rnn(name) ? kDefaultRnnHidden : classes));
      CHECK(g.input_shape.elements() ==
            std::size_t(batch) * (is_rnn(name)
                                      ? kDefaultSeqLen * kDefaultRnnInput
                                      : (name == "cifarnet" ? 3 * 32 * 32 : 3 * 224 * 224)));
    }
  }
}

TEST_CASE("parameter counts equal torchvision's (BN weight and bias counted, running stats not)") {
  // torchvision.models.<name>(): sum(p.numel() for p in model.parameters()).
  const std::map<std::string, std::size_t> torchvision = {
      {"alexnet", 61100840}, {"resnet18", 11689512},  {"resnet50", 25557032},
      {"vgg16", 138357544},  {"squeezenet", 1248424}, {"mobilenet_v2", 3504872},
  };
  for (const auto& [name, count] : torchvision) {
    CAPTURE(name);
    CHECK(build(name).parameter_count() == count);
    // Independent of batch and input size (adaptive pooling keeps the classifiers).
    CHECK(build(name, small_options(name, 2, 7)).parameter_count() == count);
  }
  // TF-slim CifarNet: conv 5x5 3->64, conv 5x5 64->64, FC 4096->384->192->10, all with bias.
  const std::size_t cifarnet = (5 * 5 * 3 * 64 + 64) + (5 * 5 * 64 * 64 + 64) + (4096 * 384 + 384) +
                               (384 * 192 + 192) + (192 * 10 + 10);
  CHECK(build("cifarnet").parameter_count() == cifarnet);
  CHECK(build("lstm").parameter_count() ==
        rnn_parameters(4, kDefaultRnnInput, kDefaultRnnHidden, kDefaultRnnLayers));
  CHECK(build("gru").parameter_count() ==
        rnn_parameters(3, kDefaultRnnInput, kDefaultRnnHidden, kDefaultRnnLayers));
  ModelOptions o;
  o.rnn_input = 10;
  o.rnn_hidden = 20;
  o.rnn_layers = 3;
  CHECK(build("lstm", o).parameter_count() == rnn_parameters(4, 10, 20, 3));
  CHECK(build("gru", o).parameter_count() == rnn_parameters(3, 10, 20, 3));
}

TEST_CASE("layer shapes of the published architectures at 224x224") {
  SUBCASE("alexnet: 256x6x6 features, no adaptive pool needed, FC 9216-4096-4096-1000") {
    const Graph g = build("alexnet");
    CHECK(first_op(g, OpKind::AdaptiveAvgPool) == nullptr);
    const Op* fc = first_op(g, OpKind::Gemm);
    REQUIRE(fc);
    CHECK(fc->gemm.k == 9216);
    CHECK(fc->gemm.n == 4096);
    CHECK(first_op(g, OpKind::Conv)->conv.p() == 55);
  }
  SUBCASE("vgg16: 512x7x7 features, FC 25088 inputs, also at a 32x32 input") {
    for (int hw : {224, 32}) {
      ModelOptions o;
      o.input_hw = hw;
      const Graph g = build("vgg16", o);
      CHECK((first_op(g, OpKind::AdaptiveAvgPool) == nullptr) == (hw == 224));
      CHECK(first_op(g, OpKind::Gemm)->gemm.k == 25088);
    }
  }
  SUBCASE("resnet18/50: global pool over 512/2048 channels at 7x7") {
    const Op* gap18 = first_op(build("resnet18"), OpKind::GlobalAvgPool);
    CHECK(gap18->rows == 512);
    CHECK(gap18->cols == 49);
    const Op* gap50 = first_op(build("resnet50"), OpKind::GlobalAvgPool);
    CHECK(gap50->rows == 2048);
    CHECK(gap50->cols == 49);
  }
  SUBCASE("squeezenet 1.0: 13x13 before the global pool, 512 -> 1000 classifier conv") {
    const Graph g = build("squeezenet");
    const Op* classifier = last_op(g, OpKind::Conv);
    CHECK(classifier->conv.c == 512);
    CHECK(classifier->conv.k == 1000);
    CHECK(classifier->conv.p() == 13);
    CHECK(first_op(g, OpKind::Conv)->conv.k == 96);
  }
  SUBCASE("mobilenet_v2: 1280x7x7 before the pool, 17 depthwise convs") {
    const Graph g = build("mobilenet_v2");
    const Op* gap = first_op(g, OpKind::GlobalAvgPool);
    CHECK(gap->rows == 1280);
    CHECK(gap->cols == 49);
    int depthwise = 0;
    for (const Op& op : g.ops) depthwise += op.kind == OpKind::DepthwiseConv;
    CHECK(depthwise == 17);
  }
  SUBCASE("cifarnet: 64x8x8 into the first FC") {
    CHECK(first_op(build("cifarnet"), OpKind::Gemm)->gemm.k == 64 * 8 * 8);
  }
}

TEST_CASE("kernels per inference, counted by hand from the architectures") {
  // conv + pool + 8 blocks * (2 conv + add) + 3 downsample convs + pool + FC + softmax
  CHECK(build("resnet18").kernels_per_inference() == 1 + 1 + 8 * 3 + 3 + 3);
  // 16 bottlenecks * (3 conv + add) + 4 downsample convs
  CHECK(build("resnet50").kernels_per_inference() == 1 + 1 + 16 * 4 + 4 + 3);
  CHECK(build("vgg16").kernels_per_inference() == 13 + 5 + 3 + 1);
  CHECK(build("alexnet").kernels_per_inference() == 5 + 3 + 3 + 1);
  // conv + 3 pools + 8 fires * (3 conv + concat) + conv + pool + softmax
  CHECK(build("squeezenet").kernels_per_inference() == 1 + 3 + 8 * 4 + 1 + 1 + 1);
  // stem + first block (dw, project) + 16 blocks * 3 convs + 10 residual adds + conv + pool + FC +
  // softmax
  CHECK(build("mobilenet_v2").kernels_per_inference() == 1 + 2 + 16 * 3 + 10 + 4);
  CHECK(build("cifarnet").kernels_per_inference() == 2 + 2 + 2 + 3 + 1);
  // per layer: input GEMM + per step (hidden GEMM + cell)
  const std::size_t rnn = kDefaultRnnLayers * (1 + 2 * kDefaultSeqLen);
  CHECK(build("lstm").kernels_per_inference() == rnn);
  CHECK(build("gru").kernels_per_inference() == rnn);
  ModelOptions logits;
  logits.softmax = false;
  CHECK(build("resnet18", logits).kernels_per_inference() == 31);
}

TEST_CASE("bad names and options are refused with a reason") {
  Graph g;
  std::string error;
  CHECK_FALSE(build_graph("resnet34", {}, &g, &error));
  CHECK(error.find("unknown model 'resnet34'") != std::string::npos);
  CHECK(error.find("mobilenet_v2") != std::string::npos);
  ModelOptions tiny;
  tiny.input_hw = 16;
  CHECK_FALSE(build_graph("alexnet", tiny, &g, &error));
  CHECK(error.find("too small") != std::string::npos);
  ModelOptions no_batch;
  no_batch.batch = 0;
  CHECK_FALSE(build_graph("gru", no_batch, &g, &error));
  CHECK(error.find("invalid options") != std::string::npos);
  ModelOptions huge;
  huge.batch = 4096;
  CHECK_FALSE(build_graph("vgg16", huge, &g, &error));
  CHECK(error.find("int indexing") != std::string::npos);
}

TEST_CASE("validate catches reads before writes and overruns") {
  GraphBuilder b("broken", ModelOptions{});
  const Tensor x = b.input(TensorShape{1, 4, 1, 1});
  const int never_written = b.add_buffer("never_written", 4);
  Op add;
  add.kind = OpKind::ResidualAdd;
  add.count = 4;
  add.in = {x.view, View{never_written, 0}};
  add.out = {View{b.add_buffer("sum", 4), 0}};
  b.add_op(add);
  std::string error;
  b.finish(Tensor{add.out[0], TensorShape{1, 4, 1, 1}}, &error);
  CHECK(error.find("reads buffer never_written before any write") != std::string::npos);

  GraphBuilder b2("overrun", ModelOptions{});
  const Tensor y = b2.input(TensorShape{1, 4, 1, 1});
  Op add2 = add;
  add2.in = {y.view, View{y.view.buffer, 2}};
  add2.out = {View{b2.add_buffer("sum", 4), 0}};
  b2.add_op(add2);
  b2.finish(Tensor{add2.out[0], TensorShape{1, 4, 1, 1}}, &error);
  CHECK(error.find("overruns buffer input") != std::string::npos);
}

TEST_CASE("CPU forward at small shapes: deterministic per seed, finite, seed-sensitive") {
  for (const std::string& name : model_names()) {
    CAPTURE(name);
    const Graph g = build(name, small_options(name, 1, 42));
    const std::vector<float> input = default_input(g);
    const std::vector<float> out = run_on_cpu(g, input);
    REQUIRE(out.size() == g.output_shape.elements());
    for (float v : out) REQUIRE(std::isfinite(v));
    CHECK(run_on_cpu(g, input) == out);
    CHECK(default_input(build(name, small_options(name, 1, 42))) == input);
    // Another seed: other weights and another input, so another output (the
    // models with big FC layers only compare weights: their forward is slow here).
    const Graph other = build(name, small_options(name, 1, 43));
    CHECK(default_input(other) != input);
    CHECK(param_values(other, 0) != param_values(g, 0));
    if (name != "vgg16" && name != "alexnet" && name != "resnet50")
      CHECK(run_on_cpu(other, default_input(other)) != out);
    if (!is_rnn(name)) {  // classifiers end in a softmax
      double sum = 0.0;
      for (float v : out) sum += v;
      CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
    }
  }
}

TEST_CASE("batch items are independent: a batch of 2 repeats each image's own result") {
  for (const std::string name : {"resnet18", "mobilenet_v2", "gru"}) {
    CAPTURE(name);
    const Graph two = build(name, small_options(name, 2, 5));
    const Graph one = build(name, small_options(name, 1, 5));
    // Same image twice: RNN inputs are [step][batch][features], images [batch][...].
    const std::vector<float> single = default_input(one);
    std::vector<float> doubled;
    if (is_rnn(name)) {
      const std::size_t features = std::size_t(one.input_shape.c);
      for (std::size_t row = 0; row < std::size_t(one.input_shape.n); ++row)
        for (int copy = 0; copy < 2; ++copy)
          doubled.insert(doubled.end(), single.begin() + row * features,
                         single.begin() + (row + 1) * features);
    } else {
      doubled = single;
      doubled.insert(doubled.end(), single.begin(), single.end());
    }
    const std::vector<float> a = run_on_cpu(one, single), b = run_on_cpu(two, doubled);
    REQUIRE(b.size() == 2 * a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(b[i] == doctest::Approx(a[i]).epsilon(1e-6));
      CHECK(b[a.size() + i] == doctest::Approx(a[i]).epsilon(1e-6));
    }
  }
}

TEST_CASE("batch norm folded into the conv equals conv, then BN, then ReLU") {
  GraphBuilder b("conv_bn", ModelOptions{});
  const Tensor x = b.input(TensorShape{2, 3, 6, 5});
  const Tensor y = b.conv(x, 4, 3, 2, 1, Activation::Relu, /*bias=*/true, /*batch_norm=*/true);
  std::string error;
  const Graph g = b.finish(y, &error);
  REQUIRE(error == "");
  const std::vector<float> input = random_uniform(x.shape.elements(), -1, 1, 9, 0);
  const std::vector<float> folded = run_on_cpu(g, input);

  const LayerWeights& lw = g.layers.at(0);
  const Conv2dShape& sh = g.ops.at(0).conv;
  std::vector<float> conv(y.shape.elements()), scale(4), shift(4), want(y.shape.elements());
  ref::conv2d(sh, input.data(), param_values(g, lw.weight).data(), param_values(g, lw.bias).data(),
              conv.data(), Activation::None);
  ref::fold_batch_norm(4, param_values(g, lw.bn).data(), param_values(g, lw.bn + 1).data(),
                       param_values(g, lw.bn + 2).data(), param_values(g, lw.bn + 3).data(),
                       lw.bn_eps, scale.data(), shift.data());
  ref::scale_bias_act(2, 4, sh.p() * sh.q(), conv.data(), scale.data(), shift.data(), want.data(),
                      Activation::Relu);
  REQUIRE(folded.size() == want.size());
  int positive = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    CHECK(folded[i] == doctest::Approx(want[i]).epsilon(1e-5));
    positive += want[i] > 0;
  }
  CHECK(positive > 0);  // the ReLU did not zero everything: the comparison means something
}

TEST_CASE("adaptive average pool: the GEMM matrix matches PyTorch's definition") {
  struct Case {
    int h, w, out;
  };
  for (const Case c :
       {Case{1, 1, 7}, Case{5, 5, 7}, Case{13, 13, 6}, Case{14, 14, 7}, Case{8, 9, 3}}) {
    CAPTURE(c.h);
    CAPTURE(c.w);
    CAPTURE(c.out);
    const int planes = 3;
    const std::vector<float> in = random_uniform(std::size_t(planes) * c.h * c.w, -1, 1, 1, 2);
    std::vector<float> direct(std::size_t(planes) * c.out * c.out), gemm(direct.size());
    adaptive_avg_pool2d(planes, c.h, c.w, c.out, c.out, in.data(), direct.data());
    const std::vector<float> m = adaptive_pool_matrix(c.h, c.w, c.out, c.out);
    ref::gemm(GemmShape{planes, c.out * c.out, c.h * c.w}, in.data(), m.data(), nullptr,
              gemm.data(), Activation::None);
    for (std::size_t i = 0; i < direct.size(); ++i)
      CHECK(gemm[i] == doctest::Approx(direct[i]).epsilon(1e-6));
  }
  // Hand-checkable cases: a 1x1 map is replicated; 14 -> 7 is a 2x2/2 average pool.
  const float one = 3.5f;
  std::vector<float> seven(49);
  adaptive_avg_pool2d(1, 1, 1, 7, 7, &one, seven.data());
  for (float v : seven) CHECK(v == 3.5f);
  const std::vector<float> in = random_uniform(14 * 14, -1, 1, 3, 4);
  std::vector<float> adaptive(49), pooled(49);
  adaptive_avg_pool2d(1, 14, 14, 7, 7, in.data(), adaptive.data());
  ref::avg_pool2d(Pool2dShape{1, 1, 14, 14, 2, 2, 2, 0}, in.data(), pooled.data());
  for (int i = 0; i < 49; ++i) CHECK(adaptive[i] == doctest::Approx(pooled[i]).epsilon(1e-6));
}

TEST_CASE("memory plan: buffers alive at the same time never share memory") {
  for (const std::string& name : model_names()) {
    CAPTURE(name);
    ModelOptions o;
    o.batch = 2;
    const Graph g = build(name, o);
    const MemoryPlan plan = plan_memory(g);
    const std::vector<Lifetime> life = buffer_lifetimes(g);
    std::size_t sum = 0;
    for (std::size_t a = 0; a < g.buffers.size(); ++a) {
      CHECK(plan.offsets[a] % 64 == 0);
      CHECK(plan.offsets[a] + g.buffers[a].elements <= plan.total_elements);
      sum += g.buffers[a].elements;
      for (std::size_t b = a + 1; b < g.buffers.size(); ++b) {
        const bool alive_together = life[a].first <= life[b].last && life[b].first <= life[a].last;
        if (!alive_together) continue;
        const bool disjoint = plan.offsets[a] + g.buffers[a].elements <= plan.offsets[b] ||
                              plan.offsets[b] + g.buffers[b].elements <= plan.offsets[a];
        if (!disjoint)
          FAIL_CHECK("buffers " << g.buffers[a].name << " and " << g.buffers[b].name
                                << " overlap while both alive");
      }
    }
    // Deep models reuse memory: the arena is well below the sum of all activations.
    if (name == "resnet50" || name == "vgg16" || name == "lstm")
      CHECK(plan.total_elements < sum / 2);
  }
}

TEST_CASE("memory plan: running in the shared arena gives the same output as own buffers") {
  // The models whose buffers are re-read later (residuals, concats, RNN
  // sequences and states): the cases a wrong plan would corrupt.
  for (const std::string name :
       {"cifarnet", "resnet18", "squeezenet", "mobilenet_v2", "lstm", "gru"}) {
    CAPTURE(name);
    const Graph g = build(name, small_options(name, 2, 11));
    const std::vector<float> input = default_input(g);
    const MemoryPlan plan = plan_memory(g);
    CHECK(run_on_cpu(g, input, &plan) == run_on_cpu(g, input));
  }
}
