// Checks every DNN layer kernel against the CPU reference on small but
// awkward shapes (sizes that are not multiples of the tile, odd strides,
// padding, ceil-mode pools). Inputs are fresh random numbers each run (seed
// from argv[1], else the clock; the seed is printed so a failure can be
// replayed); outputs are poisoned with 0xFF bytes first so an element the
// kernel never wrote is caught. Prints a table; exits 1 on any failure and
// 77 (the ctest skip code) when no GPU is present.
//
// Usage: dnn_gpu_layers_check [seed]
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <cuda_runtime.h>

#include "dnn/layers.cuh"
#include "dnn/reference.h"
#include "cuda_check.h"

using namespace miriam::dnn;

namespace {

constexpr double kMaxRelativeError = 1e-4;  // fp32 kernel vs double-accumulating reference
constexpr int kSkipExitCode = 77;

// Owns one fp32 device array.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t count) : count_(count) {
    CUDA_CHECK(cudaMalloc(&ptr_, bytes()));
  }
  explicit DeviceBuffer(const std::vector<float>& host) : DeviceBuffer(host.size()) {
    CUDA_CHECK(cudaMemcpy(ptr_, host.data(), bytes(), cudaMemcpyHostToDevice));
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept : ptr_(other.ptr_), count_(other.count_) {
    other.ptr_ = nullptr;
  }
  DeviceBuffer& operator=(DeviceBuffer&&) = delete;
  ~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);  // no check: a destructor cannot report, and exit() skips it
  }

  float* get() const { return ptr_; }
  // 0xFF bytes make every float the NaN 0xFFFFFFFF, which no kernel writes.
  void poison() { CUDA_CHECK(cudaMemset(ptr_, 0xFF, bytes())); }
  std::vector<float> download() const {
    std::vector<float> host(count_);
    CUDA_CHECK(cudaMemcpy(host.data(), ptr_, bytes(), cudaMemcpyDeviceToHost));
    return host;
  }

 private:
  std::size_t bytes() const { return count_ * sizeof(float); }
  float* ptr_ = nullptr;
  std::size_t count_;
};

// A buffer for a kernel's output, poisoned before the launch.
DeviceBuffer poisoned_output(std::size_t count) {
  DeviceBuffer out(count);
  out.poison();
  return out;
}

bool is_poison(float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits == 0xFFFFFFFFu;
}

struct Result {
  std::string layer;
  std::string shape;
  double relative_error;
  std::size_t poisoned;   // elements the kernel never wrote
  std::size_t nonfinite;  // NaN/Inf written by the kernel
  bool passed;
};

class Checker {
 public:
  explicit Checker(unsigned seed) : rng_(seed) {}

  std::vector<float> random(std::size_t count, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(count);
    for (auto& x : v) x = dist(rng_);
    return v;
  }

  // Waits for the stream (so execution errors surface here), then compares.
  void record(const std::string& layer, const std::string& shape, cudaStream_t stream,
              const DeviceBuffer& got_device, const std::vector<float>& want) {
    CUDA_CHECK(cudaStreamSynchronize(stream));
    const std::vector<float> got = got_device.download();
    Result r{layer, shape, 0.0, 0, 0, false};
    double diff_sq = 0.0, ref_sq = 0.0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      if (is_poison(got[i])) {
        ++r.poisoned;
        continue;
      }
      if (!std::isfinite(got[i])) {
        ++r.nonfinite;
        continue;
      }
      const double d = double(got[i]) - want[i];
      diff_sq += d * d;
      ref_sq += double(want[i]) * want[i];
    }
    // An all-zero reference (rare) falls back to the absolute error.
    r.relative_error = ref_sq > 0.0 ? std::sqrt(diff_sq / ref_sq) : std::sqrt(diff_sq);
    r.passed = r.poisoned == 0 && r.nonfinite == 0 && r.relative_error < kMaxRelativeError;
    results_.push_back(r);
  }

  // Two runs of a deterministic kernel must agree bit for bit.
  void record_identical(const std::string& layer, const std::string& shape,
                        const std::vector<float>& first, const std::vector<float>& second) {
    const bool same = first.size() == second.size() &&
                      std::memcmp(first.data(), second.data(), first.size() * sizeof(float)) == 0;
    results_.push_back(Result{layer, shape, same ? 0.0 : 1.0, 0, 0, same});
  }

  // A check with no numbers (e.g. a refused launch).
  void record_outcome(const std::string& layer, const std::string& shape, bool passed) {
    results_.push_back(Result{layer, shape, passed ? 0.0 : 1.0, 0, 0, passed});
  }

  bool print_table() const {
    std::printf("%-22s %-46s %12s %9s %9s  %s\n", "layer", "shape", "rel.error", "unwritten",
                "nonfinite", "result");
    int failures = 0;
    for (const auto& r : results_) {
      std::printf("%-22s %-46s %12.3e %9zu %9zu  %s\n", r.layer.c_str(), r.shape.c_str(),
                  r.relative_error, r.poisoned, r.nonfinite, r.passed ? "ok" : "FAIL");
      failures += r.passed ? 0 : 1;
    }
    std::printf("%zu checks, %d failed (tolerance %.0e)\n", results_.size(), failures,
                kMaxRelativeError);
    return failures == 0;
  }

 private:
  std::mt19937 rng_;
  std::vector<Result> results_;
};

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buf[256];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return buf;
}

const char* act_name(Activation act) {
  switch (act) {
    case Activation::Relu: return "relu";
    case Activation::Relu6: return "relu6";
    case Activation::None: break;
  }
  return "none";
}

std::string describe(const Conv2dShape& s, Activation act, bool has_bias) {
  return format("n%d c%d %dx%d k%d %dx%d s%d p%d %s%s", s.n, s.c, s.h, s.w, s.k, s.r, s.s,
                s.stride, s.pad, act_name(act), has_bias ? "" : " nobias");
}

std::string describe(const Pool2dShape& s) {
  return format("n%d c%d %dx%d win%dx%d s%d p%d%s", s.n, s.c, s.h, s.w, s.r, s.s, s.stride, s.pad,
                s.ceil_mode ? " ceil" : "");
}

Conv2dShape conv(int n, int c, int h, int w, int k, int r, int s, int stride, int pad) {
  Conv2dShape sh;
  sh.n = n; sh.c = c; sh.h = h; sh.w = w; sh.k = k; sh.r = r; sh.s = s;
  sh.stride = stride; sh.pad = pad;
  return sh;
}

Pool2dShape pool(int n, int c, int h, int w, int win, int stride, int pad, bool ceil_mode) {
  Pool2dShape sh;
  sh.n = n; sh.c = c; sh.h = h; sh.w = w; sh.r = win; sh.s = win;
  sh.stride = stride; sh.pad = pad; sh.ceil_mode = ceil_mode;
  return sh;
}

// --- per-layer checks ---------------------------------------------------------------

// Random operands of one convolution on the device, and the reference output.
struct ConvOperands {
  std::vector<float> want;
  DeviceBuffer in, weight, bias;
  const float* bias_or_null;
};

ConvOperands conv_operands(Checker& chk, const Conv2dShape& sh, Activation act, bool has_bias) {
  const auto in = chk.random(std::size_t(sh.n) * sh.c * sh.h * sh.w);
  const auto weight = chk.random(std::size_t(sh.k) * sh.gemm_k());
  const auto bias = chk.random(sh.k);
  std::vector<float> want(std::size_t(sh.n) * sh.k * sh.p() * sh.q());
  ref::conv2d(sh, in.data(), weight.data(), has_bias ? bias.data() : nullptr, want.data(), act);
  ConvOperands ops{std::move(want), DeviceBuffer(in), DeviceBuffer(weight), DeviceBuffer(bias),
                   nullptr};
  ops.bias_or_null = has_bias ? ops.bias.get() : nullptr;
  return ops;
}

void check_conv2d(Checker& chk, cudaStream_t stream) {
  struct Case { Conv2dShape shape; Activation act; bool bias; };
  const Case cases[] = {
      {conv(2, 3, 17, 19, 37, 3, 3, 1, 1), Activation::None, true},
      {conv(1, 16, 15, 15, 33, 1, 1, 1, 0), Activation::Relu, true},    // pointwise
      {conv(2, 5, 23, 23, 20, 5, 5, 2, 2), Activation::Relu6, true},
      {conv(1, 3, 35, 35, 20, 11, 11, 4, 2), Activation::Relu, true},  // AlexNet-like conv1
      {conv(3, 40, 9, 7, 65, 3, 3, 2, 1), Activation::None, false},
      {conv(2, 70, 8, 8, 31, 3, 3, 1, 1), Activation::Relu, true},     // K = 630 > many tiles
  };
  for (const auto& cs : cases) {
    const Conv2dShape& sh = cs.shape;
    const ConvOperands ops = conv_operands(chk, sh, cs.act, cs.bias);
    {
      DeviceBuffer out = poisoned_output(ops.want.size());
      CUDA_CHECK(launch_conv2d(sh, ops.in.get(), ops.weight.get(), ops.bias_or_null, out.get(),
                               cs.act, stream));
      chk.record("conv2d_implicit_gemm", describe(sh, cs.act, cs.bias), stream, out, ops.want);
    }
    {
      DeviceBuffer out = poisoned_output(ops.want.size());
      CUDA_CHECK(launch_conv2d_direct(sh, ops.in.get(), ops.weight.get(), ops.bias_or_null,
                                      out.get(), cs.act, stream));
      chk.record("conv2d_direct", describe(sh, cs.act, cs.bias), stream, out, ops.want);
    }
  }
}

// Split-K convolution (partial + reduce): against the reference on shapes with
// several splits, a partial last split and partial tiles; then a second run on
// a re-poisoned workspace must give the same bits (fixed-order reduction).
void check_conv2d_split(Checker& chk, cudaStream_t stream) {
  struct Case { Conv2dShape shape; int depth; Activation act; bool bias; };
  const Case cases[] = {
      {conv(2, 70, 8, 8, 31, 3, 3, 1, 1), 64, Activation::Relu, true},     // K 630: 10 splits, last 54
      {conv(3, 40, 9, 7, 65, 3, 3, 2, 1), 96, Activation::None, false},    // K 360: 4 splits, last 72
      {conv(2, 5, 23, 23, 20, 5, 5, 2, 2), 32, Activation::Relu6, true},   // K 125: 4 splits, last 29
      {conv(1, 64, 12, 12, 40, 3, 3, 1, 1), 100, Activation::Relu, true},  // depth -> 128, K 576: 5 splits
      {conv(2, 128, 5, 5, 33, 3, 3, 1, 1), 576, Activation::Relu, true},   // K 1152: 2 equal splits
  };
  for (const auto& cs : cases) {
    const Conv2dShape& sh = cs.shape;
    const ConvSplit split = plan_conv_split(sh, cs.depth);
    const std::string shape = describe(sh, cs.act, cs.bias) + format(" S%d", split.splits);
    if (split.splits < 2) {
      chk.record_outcome("conv2d_split", shape + " (not split: bad case)", false);
      continue;
    }
    const ConvOperands ops = conv_operands(chk, sh, cs.act, cs.bias);
    DeviceBuffer workspace(conv_split_workspace_elements(sh, split));
    std::vector<float> runs[2];
    for (auto& run : runs) {
      workspace.poison();
      DeviceBuffer out = poisoned_output(ops.want.size());
      CUDA_CHECK(launch_conv2d_split(sh, split, ops.in.get(), ops.weight.get(), ops.bias_or_null,
                                     out.get(), cs.act, workspace.get(), stream));
      chk.record("conv2d_split", shape, stream, out, ops.want);
      run = out.download();
    }
    chk.record_identical("conv2d_split rerun", shape + " bitwise", runs[0], runs[1]);
  }
  // A split that is not plan_conv_split's for the shape is refused, not run.
  const Conv2dShape sh = conv(1, 64, 12, 12, 40, 3, 3, 1, 1);
  const ConvSplit wrong{3, 128};  // K 576 at depth 128 needs 5 splits
  DeviceBuffer scratch(1);        // non-null, so only the plan check can refuse
  chk.record_outcome("conv2d_split refusal", describe(sh, Activation::None, false) + " S3 d128",
                     launch_conv2d_split(sh, wrong, scratch.get(), scratch.get(), nullptr,
                                         scratch.get(), Activation::None, scratch.get(),
                                         stream) == cudaErrorInvalidValue);
}

void check_depthwise(Checker& chk, cudaStream_t stream) {
  struct Case { Conv2dShape shape; Activation act; bool bias; };
  const Case cases[] = {
      {conv(2, 24, 19, 17, 24, 3, 3, 1, 1), Activation::Relu6, true},
      {conv(1, 33, 20, 20, 33, 3, 3, 2, 1), Activation::None, false},
      {conv(3, 7, 11, 13, 7, 5, 5, 2, 2), Activation::Relu, true},
  };
  for (const auto& cs : cases) {
    const Conv2dShape& sh = cs.shape;
    const auto in = chk.random(std::size_t(sh.n) * sh.c * sh.h * sh.w);
    const auto weight = chk.random(std::size_t(sh.c) * sh.r * sh.s);
    const auto bias = chk.random(sh.c);
    const std::size_t out_count = std::size_t(sh.n) * sh.c * sh.p() * sh.q();
    std::vector<float> want(out_count);
    ref::depthwise_conv2d(sh, in.data(), weight.data(), cs.bias ? bias.data() : nullptr,
                          want.data(), cs.act);
    DeviceBuffer d_in(in), d_weight(weight), d_bias(bias);
    DeviceBuffer out = poisoned_output(out_count);
    CUDA_CHECK(launch_depthwise_conv2d(sh, d_in.get(), d_weight.get(),
                                       cs.bias ? d_bias.get() : nullptr, out.get(), cs.act,
                                       stream));
    chk.record("depthwise_conv2d", describe(sh, cs.act, cs.bias), stream, out, want);
  }
}

void check_gemm(Checker& chk, cudaStream_t stream) {
  struct Case { GemmShape shape; Activation act; bool bias; };
  const Case cases[] = {
      {{33, 45, 70}, Activation::None, true},
      {{1, 1000, 257}, Activation::None, true},  // batch-1 classifier
      {{64, 10, 384}, Activation::Relu, true},
      {{5, 129, 31}, Activation::None, false},
      {{32, 64, 32}, Activation::Relu6, true},  // exact tile multiples
  };
  for (const auto& cs : cases) {
    const GemmShape& sh = cs.shape;
    const auto a = chk.random(std::size_t(sh.m) * sh.k);
    const auto b = chk.random(std::size_t(sh.n) * sh.k);
    const auto bias = chk.random(sh.n);
    std::vector<float> want(std::size_t(sh.m) * sh.n);
    ref::gemm(sh, a.data(), b.data(), cs.bias ? bias.data() : nullptr, want.data(), cs.act);
    DeviceBuffer d_a(a), d_b(b), d_bias(bias);
    DeviceBuffer out = poisoned_output(want.size());
    CUDA_CHECK(launch_gemm(sh, d_a.get(), d_b.get(), cs.bias ? d_bias.get() : nullptr, out.get(),
                           cs.act, stream));
    chk.record("gemm_bias_act",
               format("m%d n%d k%d %s%s", sh.m, sh.n, sh.k, act_name(cs.act),
                      cs.bias ? "" : " nobias"),
               stream, out, want);
  }
}

void check_pools(Checker& chk, cudaStream_t stream) {
  const Pool2dShape cases[] = {
      pool(2, 5, 17, 17, 3, 2, 1, false),  // ResNet stem
      pool(1, 3, 13, 13, 3, 2, 0, true),   // SqueezeNet, ceil mode
      pool(2, 4, 16, 16, 2, 2, 0, false),  // VGG
      pool(1, 6, 14, 15, 3, 2, 1, true),   // ceil mode with padding
  };
  for (const auto& sh : cases) {
    const auto in = chk.random(std::size_t(sh.n) * sh.c * sh.h * sh.w);
    const std::size_t out_count = std::size_t(sh.n) * sh.c * sh.p() * sh.q();
    DeviceBuffer d_in(in);
    std::vector<float> want(out_count);

    ref::max_pool2d(sh, in.data(), want.data());
    DeviceBuffer max_out = poisoned_output(out_count);
    CUDA_CHECK(launch_max_pool2d(sh, d_in.get(), max_out.get(), stream));
    chk.record("max_pool2d", describe(sh), stream, max_out, want);

    ref::avg_pool2d(sh, in.data(), want.data());
    DeviceBuffer avg_out = poisoned_output(out_count);
    CUDA_CHECK(launch_avg_pool2d(sh, d_in.get(), avg_out.get(), stream));
    chk.record("avg_pool2d", describe(sh), stream, avg_out, want);
  }

  const std::pair<int, int> global_cases[] = {{2 * 37, 7 * 7}, {3 * 5, 300}, {4, 1}};
  for (const auto& [planes, hw] : global_cases) {
    const auto in = chk.random(std::size_t(planes) * hw);
    std::vector<float> want(planes);
    ref::global_avg_pool(planes, hw, in.data(), want.data());
    DeviceBuffer d_in(in);
    DeviceBuffer out = poisoned_output(planes);
    CUDA_CHECK(launch_global_avg_pool(planes, hw, d_in.get(), out.get(), stream));
    chk.record("global_avg_pool", format("planes%d hw%d", planes, hw), stream, out, want);
  }
}

void check_elementwise(Checker& chk, cudaStream_t stream) {
  const int n = 2, c = 13, hw = 33;
  const std::size_t count = std::size_t(n) * c * hw;
  for (Activation act : {Activation::None, Activation::Relu, Activation::Relu6}) {
    const auto in = chk.random(count, -8.0f, 8.0f);  // wide enough to hit the ReLU6 clamp
    const auto scale = chk.random(c, 0.5f, 2.0f);
    const auto bias = chk.random(c);
    std::vector<float> want(count);
    ref::scale_bias_act(n, c, hw, in.data(), scale.data(), bias.data(), want.data(), act);
    DeviceBuffer d_in(in), d_scale(scale), d_bias(bias);
    DeviceBuffer out = poisoned_output(count);
    CUDA_CHECK(launch_scale_bias_act(n, c, hw, d_in.get(), d_scale.get(), d_bias.get(),
                                     out.get(), act, stream));
    chk.record("scale_bias_act", format("n%d c%d hw%d %s", n, c, hw, act_name(act)), stream, out,
               want);
    // In place, as the model graphs use it after a convolution.
    CUDA_CHECK(launch_scale_bias_act(n, c, hw, d_in.get(), d_scale.get(), d_bias.get(),
                                     d_in.get(), act, stream));
    chk.record("scale_bias_act", format("n%d c%d hw%d %s in-place", n, c, hw, act_name(act)),
               stream, d_in, want);
  }

  const int add_count = 2 * 17 * 11 * 11;
  for (Activation act : {Activation::None, Activation::Relu}) {
    const auto a = chk.random(add_count), b = chk.random(add_count);
    std::vector<float> want(add_count);
    ref::residual_add(add_count, a.data(), b.data(), want.data(), act);
    DeviceBuffer d_a(a), d_b(b);
    DeviceBuffer out = poisoned_output(add_count);
    CUDA_CHECK(launch_residual_add(add_count, d_a.get(), d_b.get(), out.get(), act, stream));
    chk.record("residual_add", format("count%d %s", add_count, act_name(act)), stream, out, want);
    CUDA_CHECK(launch_residual_add(add_count, d_a.get(), d_b.get(), d_a.get(), act, stream));
    chk.record("residual_add", format("count%d %s in-place", add_count, act_name(act)), stream,
               d_a, want);
  }

  {
    const int cn = 2, ca = 5, cb = 7, chw = 9 * 9;
    const auto a = chk.random(std::size_t(cn) * ca * chw);
    const auto b = chk.random(std::size_t(cn) * cb * chw);
    std::vector<float> want(std::size_t(cn) * (ca + cb) * chw);
    ref::concat_channels(cn, ca, cb, chw, a.data(), b.data(), want.data());
    DeviceBuffer d_a(a), d_b(b);
    DeviceBuffer out = poisoned_output(want.size());
    CUDA_CHECK(launch_concat_channels(cn, ca, cb, chw, d_a.get(), d_b.get(), out.get(), stream));
    chk.record("concat_channels", format("n%d ca%d cb%d hw%d", cn, ca, cb, chw), stream, out,
               want);
  }

  {
    const int ln = 2, lc = 13, lhw = 5 * 5;
    LrnParams prm;  // CifarNet-style: size 5 (use alpha large enough to matter)
    prm.size = 5; prm.alpha = 0.5f; prm.beta = 0.75f; prm.k = 2.0f;
    const auto in = chk.random(std::size_t(ln) * lc * lhw, -3.0f, 3.0f);
    std::vector<float> want(in.size());
    ref::lrn(ln, lc, lhw, prm, in.data(), want.data());
    DeviceBuffer d_in(in);
    DeviceBuffer out = poisoned_output(in.size());
    CUDA_CHECK(launch_lrn(ln, lc, lhw, prm, d_in.get(), out.get(), stream));
    chk.record("lrn", format("n%d c%d hw%d size%d", ln, lc, lhw, prm.size), stream, out, want);
  }
}

void check_softmax(Checker& chk, cudaStream_t stream) {
  const std::pair<int, int> cases[] = {{7, 1000}, {3, 10}, {2, 257}, {1, 1}};
  for (const auto& [rows, cols] : cases) {
    const auto in = chk.random(std::size_t(rows) * cols, -20.0f, 20.0f);
    std::vector<float> want(in.size());
    ref::softmax_rows(rows, cols, in.data(), want.data());
    DeviceBuffer d_in(in);
    DeviceBuffer out = poisoned_output(in.size());
    CUDA_CHECK(launch_softmax_rows(rows, cols, d_in.get(), out.get(), stream));
    chk.record("softmax_rows", format("rows%d cols%d", rows, cols), stream, out, want);
  }
}

void check_recurrent(Checker& chk, cudaStream_t stream) {
  const std::pair<int, int> cases[] = {{3, 50}, {1, 257}};
  for (const auto& [batch, hidden] : cases) {
    const std::size_t count = std::size_t(batch) * hidden;
    {
      const auto gx = chk.random(4 * count, -3.0f, 3.0f), gh = chk.random(4 * count, -3.0f, 3.0f);
      const auto c_prev = chk.random(count, -2.0f, 2.0f);
      std::vector<float> want_h(count), want_c(count);
      ref::lstm_cell(batch, hidden, gx.data(), gh.data(), c_prev.data(), want_h.data(),
                     want_c.data());
      DeviceBuffer d_gx(gx), d_gh(gh), d_c_prev(c_prev);
      DeviceBuffer h_out = poisoned_output(count), c_out = poisoned_output(count);
      CUDA_CHECK(launch_lstm_cell(batch, hidden, d_gx.get(), d_gh.get(), d_c_prev.get(),
                                  h_out.get(), c_out.get(), stream));
      chk.record("lstm_cell h", format("batch%d hidden%d", batch, hidden), stream, h_out, want_h);
      chk.record("lstm_cell c", format("batch%d hidden%d", batch, hidden), stream, c_out, want_c);
    }
    {
      const auto gx = chk.random(3 * count, -3.0f, 3.0f), gh = chk.random(3 * count, -3.0f, 3.0f);
      const auto h_prev = chk.random(count);
      std::vector<float> want(count);
      ref::gru_cell(batch, hidden, gx.data(), gh.data(), h_prev.data(), want.data());
      DeviceBuffer d_gx(gx), d_gh(gh), d_h_prev(h_prev);
      DeviceBuffer h_out = poisoned_output(count);
      CUDA_CHECK(launch_gru_cell(batch, hidden, d_gx.get(), d_gh.get(), d_h_prev.get(),
                                 h_out.get(), stream));
      chk.record("gru_cell", format("batch%d hidden%d", batch, hidden), stream, h_out, want);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  int devices = 0;
  const cudaError_t err = cudaGetDeviceCount(&devices);
  if (err != cudaSuccess || devices == 0) {
    std::printf("no CUDA device (%s): skipping\n",
                err != cudaSuccess ? cudaGetErrorString(err) : "0 devices");
    return kSkipExitCode;
  }
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));

  const unsigned seed = argc > 1 ? static_cast<unsigned>(std::strtoul(argv[1], nullptr, 10))
                                 : static_cast<unsigned>(std::time(nullptr));
  std::printf("device: %s, seed: %u (replay: %s %u)\n", prop.name, seed, argv[0], seed);

  cudaStream_t stream;
  CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  Checker chk(seed);
  check_conv2d(chk, stream);
  check_conv2d_split(chk, stream);
  check_depthwise(chk, stream);
  check_gemm(chk, stream);
  check_pools(chk, stream);
  check_elementwise(chk, stream);
  check_softmax(chk, stream);
  check_recurrent(chk, stream);
  CUDA_CHECK(cudaStreamDestroy(stream));

  return chk.print_table() ? 0 : 1;
}
