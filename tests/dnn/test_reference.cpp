// Unit tests of the CPU reference layers on shapes small enough to check by
// hand. The GPU kernels are checked against this reference elsewhere
// (gpu_layers_check.cu), so these numbers anchor the whole chain.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "dnn/reference.h"

using namespace miriam::dnn;
using doctest::Approx;

namespace {

// 1, 2, ..., count: a 4x4 plane reads row-major as 1..16.
std::vector<float> iota_from_one(int count) {
  std::vector<float> v(count);
  std::iota(v.begin(), v.end(), 1.0f);
  return v;
}

void check_equal(const std::vector<float>& got, const std::vector<float>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == Approx(want[i]).epsilon(1e-6));
  }
}

}  // namespace

TEST_CASE("window_output_size matches PyTorch, floor and ceil mode") {
  CHECK(window_output_size(4, 3, 1, 0) == 2);
  CHECK(window_output_size(224, 11, 4, 2) == 55);   // AlexNet conv1
  CHECK(window_output_size(112, 3, 2, 1) == 56);    // ResNet max pool
  CHECK(window_output_size(111, 3, 2, 0, true) == 55);  // SqueezeNet pools
  CHECK(window_output_size(13, 3, 2, 0, true) == 6);
  CHECK(window_output_size(13, 3, 2, 0, false) == 6);
  CHECK(window_output_size(14, 3, 2, 0, true) == 7);
  CHECK(window_output_size(14, 3, 2, 0, false) == 6);
  // ceil mode drops a window that would start in the right padding
  CHECK(window_output_size(5, 2, 2, 1, true) == 3);
}

TEST_CASE("conv2d 3x3 of ones over 1..16 sums each window") {
  const auto in = iota_from_one(16);
  const std::vector<float> weight(9, 1.0f);
  Conv2dShape sh;
  sh.c = 1; sh.h = 4; sh.w = 4; sh.k = 1; sh.r = 3; sh.s = 3;

  SUBCASE("no padding") {
    std::vector<float> out(4);
    ref::conv2d(sh, in.data(), weight.data(), nullptr, out.data(), Activation::None);
    check_equal(out, {54, 63, 90, 99});
  }
  SUBCASE("padding 1, bias") {
    sh.pad = 1;
    const float bias = 0.5f;
    std::vector<float> out(16);
    ref::conv2d(sh, in.data(), weight.data(), &bias, out.data(), Activation::None);
    // corners sum 2x2, edges 2x3 or 3x2, centre 3x3 windows of 1..16
    check_equal(out, {14.5, 24.5, 30.5, 22.5,  //
                      33.5, 54.5, 63.5, 45.5,  //
                      57.5, 90.5, 99.5, 69.5,  //
                      46.5, 72.5, 78.5, 54.5});
  }
  SUBCASE("stride 2, padding 1") {
    sh.pad = 1; sh.stride = 2;
    std::vector<float> out(4);
    ref::conv2d(sh, in.data(), weight.data(), nullptr, out.data(), Activation::None);
    check_equal(out, {14, 30, 57, 99});
  }
}

TEST_CASE("conv2d mixes channels with their own weights") {
  // Two 2x2 input channels, 1x1 filters: out0 = in0 - in1, out1 = 2*in1 + bias, then ReLU.
  const std::vector<float> in = {1, 2, 3, 4, 10, 0, 1, 1};
  const std::vector<float> weight = {1, -1, 0, 2};
  const std::vector<float> bias = {0, -3};
  Conv2dShape sh;
  sh.c = 2; sh.h = 2; sh.w = 2; sh.k = 2; sh.r = 1; sh.s = 1;
  std::vector<float> out(8);
  ref::conv2d(sh, in.data(), weight.data(), bias.data(), out.data(), Activation::Relu);
  check_equal(out, {0, 2, 2, 3, 17, 0, 0, 0});
}

TEST_CASE("conv2d with a centre-tap filter is the identity") {
  const auto in = iota_from_one(2 * 25);  // batch of 2, 5x5
  std::vector<float> weight(9, 0.0f);
  weight[4] = 1.0f;
  Conv2dShape sh;
  sh.n = 2; sh.c = 1; sh.h = 5; sh.w = 5; sh.k = 1; sh.r = 3; sh.s = 3; sh.pad = 1;
  std::vector<float> out(in.size());
  ref::conv2d(sh, in.data(), weight.data(), nullptr, out.data(), Activation::None);
  check_equal(out, in);
}

TEST_CASE("depthwise conv2d filters each channel alone") {
  // Channel 0 = 1..16 with a 3x3 box filter, channel 1 = 17..32 with a centre tap x2.
  const auto in = iota_from_one(32);
  std::vector<float> weight(18, 0.0f);
  for (int i = 0; i < 9; ++i) weight[i] = 1.0f;
  weight[9 + 4] = 2.0f;
  const std::vector<float> bias = {0, 1};
  Conv2dShape sh;
  sh.c = 2; sh.h = 4; sh.w = 4; sh.k = 2; sh.r = 3; sh.s = 3;
  std::vector<float> out(8);
  ref::depthwise_conv2d(sh, in.data(), weight.data(), bias.data(), out.data(), Activation::Relu6);
  // channel 0: window sums 54, 63, 90, 99 clamp to 6; channel 1: 2*{22,23,26,27}+1 clamp to 6
  check_equal(out, {6, 6, 6, 6, 6, 6, 6, 6});
  ref::depthwise_conv2d(sh, in.data(), weight.data(), bias.data(), out.data(), Activation::None);
  check_equal(out, {54, 63, 90, 99, 45, 47, 53, 55});
}

TEST_CASE("gemm computes A * B^T + bias") {
  const std::vector<float> a = {1, 2, 3, 4, 5, 6};   // 2x3
  const std::vector<float> b = {1, 0, -1, 2, 1, 0};  // 2x3, one row per output feature
  const std::vector<float> bias = {1, -5};
  GemmShape sh{2, 2, 3};
  std::vector<float> c(4);
  ref::gemm(sh, a.data(), b.data(), nullptr, c.data(), Activation::None);
  check_equal(c, {-2, 4, -2, 13});
  ref::gemm(sh, a.data(), b.data(), bias.data(), c.data(), Activation::None);
  check_equal(c, {-1, -1, -1, 8});
  ref::gemm(sh, a.data(), b.data(), bias.data(), c.data(), Activation::Relu);
  check_equal(c, {0, 0, 0, 8});
}

TEST_CASE("gemm agrees with a naive triple loop on a non-square shape") {
  const int m = 5, n = 7, k = 9;
  std::vector<float> a(m * k), b(n * k), bias(n), c(m * n);
  for (int i = 0; i < m * k; ++i) a[i] = float((i * 7) % 11) - 5.0f;
  for (int i = 0; i < n * k; ++i) b[i] = float((i * 5) % 13) - 6.0f;
  for (int j = 0; j < n; ++j) bias[j] = 0.25f * j;
  ref::gemm(GemmShape{m, n, k}, a.data(), b.data(), bias.data(), c.data(), Activation::None);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      float want = bias[j];
      for (int t = 0; t < k; ++t) want += a[i * k + t] * b[j * k + t];
      CHECK(c[i * n + j] == Approx(want));
    }
}

TEST_CASE("conv2d equals gemm over an explicit im2col") {
  // Same layer two ways: guards the layout conventions both GPU paths rely on.
  Conv2dShape sh;
  sh.n = 1; sh.c = 2; sh.h = 5; sh.w = 4; sh.k = 3; sh.r = 3; sh.s = 2; sh.stride = 2; sh.pad = 1;
  const int p = sh.p(), q = sh.q(), kd = sh.gemm_k();
  std::vector<float> in(sh.c * sh.h * sh.w), weight(sh.k * kd);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = float((i * 3) % 7) - 3.0f;
  for (std::size_t i = 0; i < weight.size(); ++i) weight[i] = float((i * 5) % 9) - 4.0f;
  std::vector<float> col(p * q * kd, 0.0f);  // [p*q][c*r*s]
  for (int op = 0; op < p; ++op)
    for (int oq = 0; oq < q; ++oq)
      for (int c = 0; c < sh.c; ++c)
        for (int kr = 0; kr < sh.r; ++kr)
          for (int ks = 0; ks < sh.s; ++ks) {
            const int ih = op * sh.stride - sh.pad + kr, iw = oq * sh.stride - sh.pad + ks;
            if (ih < 0 || ih >= sh.h || iw < 0 || iw >= sh.w) continue;
            col[(op * q + oq) * kd + (c * sh.r + kr) * sh.s + ks] = in[(c * sh.h + ih) * sh.w + iw];
          }
  std::vector<float> conv_out(sh.k * p * q), gemm_out(p * q * sh.k);
  ref::conv2d(sh, in.data(), weight.data(), nullptr, conv_out.data(), Activation::None);
  ref::gemm(GemmShape{p * q, sh.k, kd}, col.data(), weight.data(), nullptr, gemm_out.data(),
            Activation::None);
  for (int k = 0; k < sh.k; ++k)
    for (int pos = 0; pos < p * q; ++pos) CHECK(conv_out[k * p * q + pos] == gemm_out[pos * sh.k + k]);
}

TEST_CASE("pooling over 1..16") {
  const auto in = iota_from_one(16);
  Pool2dShape sh;
  sh.h = 4; sh.w = 4;
  std::vector<float> out(4);

  SUBCASE("max 2x2 stride 2") {
    ref::max_pool2d(sh, in.data(), out.data());
    check_equal(out, {6, 8, 14, 16});
  }
  SUBCASE("avg 2x2 stride 2") {
    ref::avg_pool2d(sh, in.data(), out.data());
    check_equal(out, {3.5, 5.5, 11.5, 13.5});
  }
  SUBCASE("max 3x3 stride 2 padding 1 ignores padding, even for negatives") {
    sh.r = 3; sh.s = 3; sh.pad = 1;
    ref::max_pool2d(sh, in.data(), out.data());
    check_equal(out, {6, 8, 14, 16});
    std::vector<float> neg(in);
    for (auto& v : neg) v = -v;
    ref::max_pool2d(sh, neg.data(), out.data());
    check_equal(out, {-1, -2, -5, -6});
  }
  SUBCASE("avg 3x3 stride 2 padding 1 counts padding as zeros") {
    sh.r = 3; sh.s = 3; sh.pad = 1;
    ref::avg_pool2d(sh, in.data(), out.data());
    check_equal(out, {14.0f / 9, 30.0f / 9, 57.0f / 9, 99.0f / 9});
  }
  SUBCASE("ceil mode keeps the partial last window") {
    // 4x4, 3x3 stride 2: floor gives 1x1, ceil gives 2x2 with clipped windows.
    sh.r = 3; sh.s = 3; sh.ceil_mode = true;
    REQUIRE(sh.p() == 2);
    ref::max_pool2d(sh, in.data(), out.data());
    check_equal(out, {11, 12, 15, 16});
    ref::avg_pool2d(sh, in.data(), out.data());
    // divisors: 9, 6 (3 rows x cols 2..3), 6, 4 -- windows clipped to the input
    check_equal(out, {6, 7.5f, 12, 13.5f});
  }
}

TEST_CASE("global average pool is the mean of each plane") {
  const auto in = iota_from_one(32);  // two 4x4 planes
  std::vector<float> out(2);
  ref::global_avg_pool(2, 16, in.data(), out.data());
  check_equal(out, {8.5, 24.5});
}

TEST_CASE("batch norm folds into scale and bias") {
  const float gamma[] = {2, 1}, beta[] = {1, 0}, mean[] = {3, -1}, var[] = {4, 0.25f};
  float scale[2], bias[2];
  ref::fold_batch_norm(2, gamma, beta, mean, var, 0.0f, scale, bias);
  CHECK(scale[0] == Approx(1.0));  // 2 / sqrt(4)
  CHECK(bias[0] == Approx(-2.0));  // 1 - 3 * 1
  CHECK(scale[1] == Approx(2.0));  // 1 / sqrt(0.25)
  CHECK(bias[1] == Approx(2.0));   // 0 + 1 * 2

  // Applying the folded form equals the textbook formula.
  const std::vector<float> x = {-4, 0, 5, 10, -3, -1, 0, 2};  // n=1, c=2, hw=4
  std::vector<float> y(8);
  ref::scale_bias_act(1, 2, 4, x.data(), scale, bias, y.data(), Activation::None);
  for (int i = 0; i < 8; ++i) {
    const int ch = i / 4;
    CHECK(y[i] == Approx(gamma[ch] * (x[i] - mean[ch]) / std::sqrt(var[ch]) + beta[ch]));
  }
  ref::scale_bias_act(1, 2, 4, x.data(), scale, bias, y.data(), Activation::Relu);
  check_equal(y, {0, 0, 3, 8, 0, 0, 2, 6});
  ref::scale_bias_act(1, 2, 4, x.data(), scale, bias, y.data(), Activation::Relu6);
  check_equal(y, {0, 0, 3, 6, 0, 0, 2, 6});
}

TEST_CASE("residual add, with and without ReLU") {
  const std::vector<float> a = {1, -2, 3}, b = {-4, 1, 0.5f};
  std::vector<float> out(3);
  ref::residual_add(3, a.data(), b.data(), out.data(), Activation::None);
  check_equal(out, {-3, -1, 3.5f});
  ref::residual_add(3, a.data(), b.data(), out.data(), Activation::Relu);
  check_equal(out, {0, 0, 3.5f});
}

TEST_CASE("concat channels interleaves per image") {
  // n=2, a has 1 channel, b has 2, hw=2.
  const std::vector<float> a = {1, 2, 3, 4};
  const std::vector<float> b = {10, 11, 12, 13, 20, 21, 22, 23};
  std::vector<float> out(12);
  ref::concat_channels(2, 1, 2, 2, a.data(), b.data(), out.data());
  check_equal(out, {1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23});
}

TEST_CASE("local response norm over a channel window") {
  // size 3 on 3 channels, hw 1: windows {0,1}, {0,1,2}, {1,2}.
  const std::vector<float> in = {1, 2, 3};
  LrnParams prm;
  prm.size = 3; prm.alpha = 3.0f; prm.beta = 1.0f; prm.k = 1.0f;  // alpha/size = 1
  std::vector<float> out(3);
  ref::lrn(1, 3, 1, prm, in.data(), out.data());
  check_equal(out, {1.0f / 6, 2.0f / 15, 3.0f / 14});
}

TEST_CASE("softmax rows") {
  SUBCASE("known values") {
    const std::vector<float> in = {0, std::log(2.0f), 5, 5};
    std::vector<float> out(4);
    ref::softmax_rows(2, 2, in.data(), out.data());
    check_equal(out, {1.0f / 3, 2.0f / 3, 0.5f, 0.5f});
  }
  SUBCASE("large logits do not overflow and each row sums to 1") {
    const std::vector<float> in = {1000, 1001, 999, -1000, 0, 3};
    std::vector<float> out(6);
    ref::softmax_rows(2, 3, in.data(), out.data());
    for (int r = 0; r < 2; ++r) {
      float sum = 0;
      for (int i = 0; i < 3; ++i) {
        CHECK(std::isfinite(out[r * 3 + i]));
        sum += out[r * 3 + i];
      }
      CHECK(sum == Approx(1.0));
    }
    CHECK(out[1] > out[0]);
    CHECK(out[0] > out[2]);
  }
}

TEST_CASE("LSTM cell") {
  // batch 1, hidden 1, gates (i, f, g, o).
  const float c_prev = 2.0f;
  float h = 0, c = 0;
  SUBCASE("zero gates: i = f = o = 1/2, g = 0") {
    const float gx[4] = {0, 0, 0, 0}, gh[4] = {0, 0, 0, 0};
    ref::lstm_cell(1, 1, gx, gh, &c_prev, &h, &c);
    CHECK(c == Approx(1.0));
    CHECK(h == Approx(0.5 * std::tanh(1.0)));
  }
  SUBCASE("saturated gates: forget everything, write g") {
    // x and h contributions are summed: i = sigmoid(20+20), f = sigmoid(-40), o = sigmoid(40).
    const float gx[4] = {20, -20, 0.25f, 20}, gh[4] = {20, -20, 0.25f, 20};
    ref::lstm_cell(1, 1, gx, gh, &c_prev, &h, &c);
    CHECK(c == Approx(std::tanh(0.5)));
    CHECK(h == Approx(std::tanh(std::tanh(0.5))));
  }
}

TEST_CASE("GRU cell") {
  // batch 1, hidden 1, gates (r, z, n).
  const float h_prev = 0.8f;
  float h = 0;
  SUBCASE("zero gates: z = 1/2, n = 0") {
    const float gx[3] = {0, 0, 0}, gh[3] = {0, 0, 0};
    ref::gru_cell(1, 1, gx, gh, &h_prev, &h);
    CHECK(h == Approx(0.4));
  }
  SUBCASE("reset gate scales only the hidden part of n") {
    // r = sigmoid(0) = 1/2, z = sigmoid(-40) ~ 0, n = tanh(0.1 + 0.5 * 0.6)
    const float gx[3] = {0, -20, 0.1f}, gh[3] = {0, -20, 0.6f};
    ref::gru_cell(1, 1, gx, gh, &h_prev, &h);
    CHECK(h == Approx(std::tanh(0.4)));
  }
}
