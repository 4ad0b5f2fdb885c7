// CPU-only tests of the split-K convolution plan (dnn/conv_split.h) and its
// use by the model graphs: how a conv is cut, when it is not, how much
// workspace the memory plan reserves, and that the split arithmetic (partial
// sums over the planned ranges, added in split order) equals the reference
// convolution. The GPU kernels are checked by gpu_layers_check.cu.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "dnn/conv_split.h"
#include "dnn/models/architectures.h"
#include "dnn/models/memory_plan.h"
#include "dnn/reference.h"

using namespace miriam::dnn;
using namespace miriam::dnn::graph;

namespace {

Conv2dShape conv(int n, int c, int hw, int k, int rs, int stride = 1, int pad = 1) {
  Conv2dShape s;
  s.n = n;
  s.c = c;
  s.h = s.w = hw;
  s.k = k;
  s.r = s.s = rs;
  s.stride = stride;
  s.pad = pad;
  return s;
}

Graph build(const std::string& name, const ModelOptions& options) {
  Graph g;
  std::string error;
  INFO(name);
  REQUIRE_MESSAGE(build_graph(name, options, &g, &error), error);
  return g;
}

// The kernels' split arithmetic in float: each split sums its range of the
// reduction (kd = (ci, kr, ks)) in kd order, then the partials are added in
// split order, then bias and activation, as dnn_conv2d_split_reduce does.
std::vector<float> split_conv_on_cpu(const Conv2dShape& sh, const ConvSplit& split,
                                     const std::vector<float>& in, const std::vector<float>& weight,
                                     const std::vector<float>& bias, Activation act) {
  const int p = sh.p(), q = sh.q(), gemm_k = sh.gemm_k(), rs = sh.r * sh.s;
  std::vector<float> out(std::size_t(sh.n) * sh.k * p * q);
  for (int n = 0; n < sh.n; ++n)
    for (int k = 0; k < sh.k; ++k)
      for (int op = 0; op < p; ++op)
        for (int oq = 0; oq < q; ++oq) {
          float total = 0.0f;
          for (int z = 0; z < split.splits; ++z) {
            float partial = 0.0f;
            for (int kd = z * split.depth; kd < std::min((z + 1) * split.depth, gemm_k); ++kd) {
              const int ci = kd / rs, kr = (kd % rs) / sh.s, ks = kd % sh.s;
              const int ih = op * sh.stride - sh.pad + kr, iw = oq * sh.stride - sh.pad + ks;
              if (ih < 0 || ih >= sh.h || iw < 0 || iw >= sh.w) continue;
              partial += in[((std::size_t(n) * sh.c + ci) * sh.h + ih) * sh.w + iw] *
                         weight[std::size_t(k) * gemm_k + kd];
            }
            total = z == 0 ? partial : total + partial;
          }
          out[((std::size_t(n) * sh.k + k) * p + op) * q + oq] = ref::activate(total + bias[k], act);
        }
  return out;
}

std::vector<float> random_values(std::size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(count);
  for (float& x : v) x = dist(rng);
  return v;
}

}  // namespace

TEST_CASE("plan_conv_split: off, not needed, rounded, exact and partial last split") {
  const Conv2dShape vgg_conv4 = conv(1, 512, 28, 512, 3);  // gemm_k 4608
  // Off: the default 0 and a negative depth.
  CHECK(plan_conv_split(vgg_conv4, 0).splits == 1);
  CHECK(plan_conv_split(vgg_conv4, 0).depth == 4608);
  CHECK(plan_conv_split(vgg_conv4, -64).splits == 1);
  // 576 = 18 K steps divides 4608 into 8 equal splits.
  CHECK(plan_conv_split(vgg_conv4, 576).splits == 8);
  CHECK(plan_conv_split(vgg_conv4, 576).depth == 576);
  // Rounded up to a multiple of 32: 500 -> 512 gives 9 splits, all full.
  CHECK(plan_conv_split(vgg_conv4, 500).depth == 512);
  CHECK(plan_conv_split(vgg_conv4, 500).splits == 9);
  // 1 -> 32, the smallest depth: one K step per split.
  CHECK(plan_conv_split(vgg_conv4, 1).depth == 32);
  CHECK(plan_conv_split(vgg_conv4, 1).splits == 144);
  // A partial last split: 4608 = 4 * 1024 + 512.
  CHECK(plan_conv_split(vgg_conv4, 1024).splits == 5);
  // gemm_k <= depth (also after rounding: 4600 -> 4608): not split.
  CHECK(plan_conv_split(vgg_conv4, 4608).splits == 1);
  CHECK(plan_conv_split(vgg_conv4, 4600).splits == 1);
  CHECK(plan_conv_split(vgg_conv4, 10000).splits == 1);
  CHECK(plan_conv_split(conv(1, 3, 224, 64, 3), 576).splits == 1);  // gemm_k 27
  // gemm_k not a multiple of 32: AlexNet conv2 (64*5*5 = 1600), depth 576 -> 3 splits, last 448.
  const ConvSplit alex = plan_conv_split(conv(1, 64, 27, 192, 5, 1, 2), 576);
  CHECK(alex.splits == 3);
  CHECK(1600 - (alex.splits - 1) * alex.depth == 448);
}

TEST_CASE("workspace: one [n][k][p][q] partial per split, none unsplit") {
  const Conv2dShape sh = conv(2, 256, 14, 40, 3);  // gemm_k 2304, output 2*40*14*14
  CHECK(conv_split_workspace_elements(sh, plan_conv_split(sh, 0)) == 0);
  CHECK(conv_split_workspace_elements(sh, plan_conv_split(sh, 2304)) == 0);
  CHECK(conv_split_workspace_elements(sh, plan_conv_split(sh, 576)) == 4u * 2 * 40 * 14 * 14);
  CHECK(conv_split_workspace_elements(sh, plan_conv_split(sh, 1000)) == 3u * 2 * 40 * 14 * 14);
}

TEST_CASE("VGG-16 with depth 576: which convs split, launches, workspace in the memory plan") {
  ModelOptions o;
  o.batch = 2;
  const Graph plain = build("vgg16", o);
  o.conv_split_depth = 576;
  const Graph split = build("vgg16", o);
  std::size_t split_convs = 0, largest = 0;
  for (const Op& op : split.ops) {
    const ConvSplit s = conv_split_of(split, op);
    if (op.kind != OpKind::Conv) {
      CHECK(s.splits == 1);
      continue;
    }
    CAPTURE(op.conv.c);
    // conv1_x (c 3, 64) and conv2_1 (c 64): gemm_k <= 576 stays whole.
    CHECK((s.splits > 1) == (op.conv.gemm_k() > 576));
    if (s.splits > 1) {
      ++split_convs;
      CHECK(s.splits == op.conv.gemm_k() / 576);
      largest = std::max(largest, conv_split_workspace_elements(op.conv, s));
    }
  }
  CHECK(split_convs == 10);  // conv2_2, conv3_x, conv4_x, conv5_x
  // One extra launch (the reduce) per split conv.
  CHECK(split.kernels_per_inference() == plain.kernels_per_inference() + split_convs);
  // Largest: conv2_2 (2 splits of 128x112x112), conv3_2/3 (4 of 256x56x56) and conv4_2/3
  // (8 of 512x28x28) all need 3.2M floats per image.
  CHECK(largest == 2u * 2 * 128 * 112 * 112);
  CHECK(conv_split_workspace_elements(split) == largest);
  CHECK(conv_split_workspace_elements(plain) == 0);

  const MemoryPlan without = plan_memory(plain);
  const MemoryPlan with = plan_memory(split);
  CHECK(without.conv_workspace_elements == 0);
  CHECK(with.conv_workspace_elements == largest);
  // The workspace follows every buffer, aligned, and is the only growth.
  CHECK(with.conv_workspace_offset % 64 == 0);
  for (std::size_t b = 0; b < split.buffers.size(); ++b)
    CHECK(with.offsets[b] + split.buffers[b].elements <= with.conv_workspace_offset);
  CHECK(with.conv_workspace_offset + largest <= with.total_elements);
  CHECK(with.offsets == without.offsets);
  CHECK(with.total_elements == without.total_elements + (largest + 63) / 64 * 64);
}

TEST_CASE("depthwise convs never split; negative depths are refused") {
  ModelOptions o;
  o.conv_split_depth = 32;
  const Graph g = build("mobilenet_v2", o);
  bool saw_depthwise = false;
  for (const Op& op : g.ops)
    if (op.kind == OpKind::DepthwiseConv) {
      saw_depthwise = true;
      CHECK(conv_split_of(g, op).splits == 1);
    }
  CHECK(saw_depthwise);
  o.conv_split_depth = -1;
  Graph bad;
  std::string error;
  CHECK_FALSE(build_graph("vgg16", o, &bad, &error));
  CHECK(error.find("conv_split_depth -1") != std::string::npos);
}

TEST_CASE("split arithmetic equals the reference convolution") {
  struct Case {
    Conv2dShape shape;
    int depth;
    Activation act;
  };
  const Case cases[] = {
      {conv(2, 16, 7, 40, 3), 32, Activation::Relu},        // gemm_k 144: 5 splits, last 16
      {conv(2, 13, 9, 33, 5, 2, 2), 100, Activation::None},  // gemm_k 325: depth 128, 3 splits
      {conv(1, 64, 6, 20, 3), 576, Activation::Relu6},       // gemm_k 576: not split
  };
  for (const Case& c : cases) {
    const Conv2dShape& sh = c.shape;
    CAPTURE(sh.gemm_k());
    const ConvSplit split = plan_conv_split(sh, c.depth);
    const auto in = random_values(std::size_t(sh.n) * sh.c * sh.h * sh.w, 1);
    const auto weight = random_values(std::size_t(sh.k) * sh.gemm_k(), 2);
    const auto bias = random_values(sh.k, 3);
    std::vector<float> expected(std::size_t(sh.n) * sh.k * sh.p() * sh.q());
    ref::conv2d(sh, in.data(), weight.data(), bias.data(), expected.data(), c.act);
    const auto got = split_conv_on_cpu(sh, split, in, weight, bias, c.act);
    double worst = 0.0;
    for (std::size_t i = 0; i < got.size(); ++i)
      worst = std::max(worst, std::fabs(double(got[i]) - expected[i]) /
                                  std::max(1.0, std::fabs(double(expected[i]))));
    CHECK(worst < 1e-4);  // gpu_layers_check.cu's tolerance for fp32 kernels
  }
}
