// Where does the sliced variant's few percent on one-wave DNN layers come
// from? Times, in one process and rotating order (each configuration takes
// each position equally often, so order effects cancel):
//   original      the kernel as written, its own grid
//   original_aa   the same launch again: the A/A control (timing bias/noise)
//   sliced_1d     the sliced variant as its helper launches it (1D grid)
//   sliced_2d     the sliced variant on the original's grid shape
//   persist_*     the persistent variant on every resident block (P from the
//                 occupancy calculator), C = 1 with a static first chunk (the
//                 coordinator's default), C = 1 all ticketed, and static chunks
//                 that cover the range (no ticket at all)
// on fresh random inputs, and checks every output bitwise against the
// original's. Build: tools/device/probes/build_probes.sh. Prints one table.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "hold_stream.cuh"     // tools/elastic_check
#include "layers.elastic.cu"  // the generated file: originals, variants, helpers
#include "stats.h"            // tools/elastic_check: median

namespace {

#define CHECK(call)                                                                             \
  do {                                                                                          \
    cudaError_t e_ = (call);                                                                    \
    if (e_ != cudaSuccess) {                                                                    \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_)); \
      std::exit(1);                                                                             \
    }                                                                                           \
  } while (0)

float* device_random(size_t n, std::mt19937& rng) {
  std::vector<float> h(n);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (auto& v : h) v = d(rng);
  float* p = nullptr;
  CHECK(cudaMalloc(&p, n * sizeof(float)));
  CHECK(cudaMemcpy(p, h.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  return p;
}

float* device_poison(size_t n) {
  float* p = nullptr;
  CHECK(cudaMalloc(&p, n * sizeof(float)));
  CHECK(cudaMemset(p, 0xff, n * sizeof(float)));
  return p;
}

// One configuration: enqueue a launch writing to `out`.
struct Config {
  std::string name;
  std::function<void(cudaStream_t, float* out)> launch;
};

struct Case {
  std::string kernel;
  size_t out_count;
  std::vector<Config> configs;
};

void run_case(const Case& c, int rounds, cudaStream_t stream) {
  const size_t n = c.configs.size();
  std::vector<float*> outs(n);
  for (auto& o : outs) o = device_poison(c.out_count);
  for (int w = 0; w < 5; ++w)
    for (size_t i = 0; i < n; ++i) c.configs[i].launch(stream, outs[i]);
  CHECK(cudaStreamSynchronize(stream));
  // Bitwise check against the original (config 0).
  std::vector<float> ref(c.out_count), got(c.out_count);
  CHECK(cudaMemcpy(ref.data(), outs[0], c.out_count * sizeof(float), cudaMemcpyDeviceToHost));
  std::vector<bool> equal(n, true);
  for (size_t i = 1; i < n; ++i) {
    CHECK(cudaMemcpy(got.data(), outs[i], c.out_count * sizeof(float), cudaMemcpyDeviceToHost));
    equal[i] = std::memcmp(ref.data(), got.data(), c.out_count * sizeof(float)) == 0;
  }

  std::vector<cudaEvent_t> ev(2 * n * rounds);
  for (auto& e : ev) CHECK(cudaEventCreate(&e));
  for (int r = 0; r < rounds; ++r) {
    ::miriam::check::hold_stream<<<1, 1, 0, stream>>>(200'000);
    for (size_t k = 0; k < n; ++k) {
      const size_t i = (k + r) % n;  // rotate: each config in each position equally often
      CHECK(cudaEventRecord(ev[2 * (r * n + i)], stream));
      c.configs[i].launch(stream, outs[i]);
      CHECK(cudaEventRecord(ev[2 * (r * n + i) + 1], stream));
    }
  }
  CHECK(cudaStreamSynchronize(stream));
  CHECK(cudaGetLastError());
  std::vector<std::vector<double>> us(n);
  for (int r = 0; r < rounds; ++r)
    for (size_t i = 0; i < n; ++i) {
      float ms = 0;
      CHECK(cudaEventElapsedTime(&ms, ev[2 * (r * n + i)], ev[2 * (r * n + i) + 1]));
      us[i].push_back(ms * 1000.0);
    }
  using ::miriam::check::median;
  const double base = median(us[0]);
  for (size_t i = 0; i < n; ++i) {
    std::printf("| %s | %s | %.2f | %.2f | %+.2f%% | %s |\n", c.kernel.c_str(), c.configs[i].name.c_str(),
                median(us[i]), *std::min_element(us[i].begin(), us[i].end()), (median(us[i]) / base - 1) * 100,
                i == 0 ? "reference" : (equal[i] ? "bitwise equal" : "MISMATCH"));
  }
  for (auto& e : ev) cudaEventDestroy(e);
  for (auto& o : outs) cudaFree(o);
}

// The persistent variant's launches on every resident block; each config has
// its own control block (the claim word resets itself at each launch's end).
template <class Kernel, class Helper>
void add_persistent(Case& c, Kernel kernel, Helper helper, dim3 grid, dim3 block) {
  int per_sm = 0;
  CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, block.x * block.y * block.z, 0));
  cudaDeviceProp prop{};
  CHECK(cudaGetDeviceProperties(&prop, 0));
  const unsigned p = unsigned(per_sm) * prop.multiProcessorCount;
  const unsigned long long count = ::miriam::logical_block_count(grid);
  struct Mode {
    const char* name;
    unsigned chunk;
    bool static_first;
  };
  const unsigned cover = unsigned((count + p - 1) / p);
  for (Mode m : {Mode{"persist_c1_static", 1, true}, Mode{"persist_c1_ticket", 1, false},
                 Mode{"persist_static_cover", cover, true}}) {
    auto* control = new ::miriam::PersistentControlBlock;
    CHECK(::miriam::persistent_control_create(control));
    ::miriam::PersistentLaunch l;
    l.grid = grid;
    l.block = block;
    l.begin = 0;
    l.end = count;
    l.physical_blocks = p;
    l.chunk = m.chunk;
    l.static_first_chunk = m.static_first;
    l.control = control->device;
    c.configs.push_back({std::string(m.name) + " P=" + std::to_string(p) + " C=" + std::to_string(m.chunk),
                         [=](cudaStream_t s, float* out) {
                           ::miriam::PersistentLaunch ls = l;
                           ls.stream = s;
                           CHECK(helper(ls, out));
                         }});
  }
}

::miriam::SliceLaunch whole(dim3 grid, dim3 block, cudaStream_t s) {
  ::miriam::SliceLaunch l;
  l.grid = grid;
  l.block = block;
  l.stream = s;
  l.begin = 0;
  l.end = ::miriam::logical_block_count(grid);
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 60;
  std::mt19937 rng(20261128);
  cudaStream_t stream;
  CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  cudaDeviceProp prop{};
  CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("device: %s, %d SMs, rounds %d\n\n", prop.name, prop.multiProcessorCount, rounds);
  std::printf("| kernel | config | median us | min us | vs original | output |\n|---|---|---|---|---|---|\n");

  {  // dnn_gemm_bias_act, the classifier's GEMM: grid 32x4, one wave
    const int m = 128, n = 1000, k = 2048;
    float* a = device_random(size_t(m) * k, rng);
    float* b = device_random(size_t(n) * k, rng);
    float* bias = device_random(n, rng);
    const dim3 grid(32, 4), block(16, 16);
    const dim3 grid1d(128);
    const ::miriam::Slice slice(0, 128, grid);
    Case c{"dnn_gemm_bias_act", size_t(m) * n, {}};
    auto orig = [=](cudaStream_t s, float* out) { dnn_gemm_bias_act<<<grid, block, 0, s>>>(a, b, bias, out, m, n, k, 0); };
    c.configs.push_back({"original", orig});
    c.configs.push_back({"original_aa", orig});
    c.configs.push_back({"sliced_1d", [=](cudaStream_t s, float* out) {
                           CHECK(dnn_gemm_bias_act__miriam_launch_sliced(whole(grid, block, s), a, b, bias, out, m, n, k, 0));
                         }});
    c.configs.push_back({"sliced_2d", [=](cudaStream_t s, float* out) {
                           dnn_gemm_bias_act__miriam_sliced<<<grid, block, 0, s>>>(slice, a, b, bias, out, m, n, k, 0);
                         }});
    c.configs.push_back({"sliced_1d_direct", [=](cudaStream_t s, float* out) {
                           dnn_gemm_bias_act__miriam_sliced<<<grid1d, block, 0, s>>>(slice, a, b, bias, out, m, n, k, 0);
                         }});
    run_case(c, rounds, stream);
  }
  {  // dnn_conv2d_implicit_gemm, ResNet conv 64->64 3x3 at 56x56, batch 8: grid 784x2, two waves
    const int n = 8, ch = 64, h = 56, w = 56, kk = 64, r = 3, s_ = 3, p = 56, q = 56, stride = 1, pad = 1, act = 1;
    float* in = device_random(size_t(n) * ch * h * w, rng);
    float* wt = device_random(size_t(kk) * ch * r * s_, rng);
    float* bias = device_random(kk, rng);
    const dim3 grid(784, 2), block(16, 16);
    const ::miriam::Slice slice(0, 1568, grid);
    Case c{"dnn_conv2d_implicit_gemm", size_t(n) * kk * p * q, {}};
    auto orig = [=](cudaStream_t st, float* out) {
      dnn_conv2d_implicit_gemm<<<grid, block, 0, st>>>(in, wt, bias, out, n, ch, h, w, kk, r, s_, p, q, stride, pad, act);
    };
    c.configs.push_back({"original", orig});
    c.configs.push_back({"original_aa", orig});
    c.configs.push_back({"sliced_1d", [=](cudaStream_t st, float* out) {
                           CHECK(dnn_conv2d_implicit_gemm__miriam_launch_sliced(whole(grid, block, st), in, wt, bias, out, n, ch, h,
                                                                                w, kk, r, s_, p, q, stride, pad, act));
                         }});
    c.configs.push_back({"sliced_2d", [=](cudaStream_t st, float* out) {
                           dnn_conv2d_implicit_gemm__miriam_sliced<<<grid, block, 0, st>>>(slice, in, wt, bias, out, n, ch, h, w,
                                                                                          kk, r, s_, p, q, stride, pad, act);
                         }});
    add_persistent(c, dnn_conv2d_implicit_gemm__miriam_persistent,
                   [=](const ::miriam::PersistentLaunch& l, float* out) {
                     return dnn_conv2d_implicit_gemm__miriam_launch_persistent(l, in, wt, bias, out, n, ch, h, w, kk, r, s_, p,
                                                                               q, stride, pad, act);
                   },
                   grid, block);
    run_case(c, rounds, stream);
  }
  {  // dnn_conv2d_implicit_gemm_partial, VGG-16 conv4_2 split-K at depth 576: grid 25x16x8, ~5 waves
    const int n = 1, ch = 512, h = 28, w = 28, kk = 512, r = 3, s_ = 3, p = 28, q = 28, stride = 1, pad = 1, depth = 576;
    float* in = device_random(size_t(n) * ch * h * w, rng);
    float* wt = device_random(size_t(kk) * ch * r * s_, rng);
    const dim3 grid(25, 16, 8), block(16, 16);
    Case c{"dnn_conv2d_implicit_gemm_partial", size_t(8) * n * kk * p * q, {}};
    c.configs.push_back({"original", [=](cudaStream_t st, float* out) {
                           dnn_conv2d_implicit_gemm_partial<<<grid, block, 0, st>>>(in, wt, out, n, ch, h, w, kk, r, s_, p, q,
                                                                                   stride, pad, depth);
                         }});
    c.configs.push_back({"sliced_1d", [=](cudaStream_t st, float* out) {
                           CHECK(dnn_conv2d_implicit_gemm_partial__miriam_launch_sliced(whole(grid, block, st), in, wt, out, n, ch,
                                                                                        h, w, kk, r, s_, p, q, stride, pad, depth));
                         }});
    add_persistent(c, dnn_conv2d_implicit_gemm_partial__miriam_persistent,
                   [=](const ::miriam::PersistentLaunch& l, float* out) {
                     return dnn_conv2d_implicit_gemm_partial__miriam_launch_persistent(l, in, wt, out, n, ch, h, w, kk, r, s_, p,
                                                                                       q, stride, pad, depth);
                   },
                   grid, block);
    run_case(c, rounds, stream);
  }
  {  // dnn_depthwise_conv2d, MobileNetV2 3x3 depthwise at 56x56, 144 channels: 14112 one-output-per-thread blocks
    const int n = 8, ch = 144, h = 56, w = 56, r = 3, s_ = 3, p = 56, q = 56, stride = 1, pad = 1, act = 2;
    float* in = device_random(size_t(n) * ch * h * w, rng);
    float* wt = device_random(size_t(ch) * r * s_, rng);
    float* bias = device_random(ch, rng);
    const dim3 grid(14112), block(256);
    Case c{"dnn_depthwise_conv2d", size_t(n) * ch * p * q, {}};
    auto orig = [=](cudaStream_t st, float* out) {
      dnn_depthwise_conv2d<<<grid, block, 0, st>>>(in, wt, bias, out, n, ch, h, w, r, s_, p, q, stride, pad, act);
    };
    c.configs.push_back({"original", orig});
    c.configs.push_back({"original_aa", orig});
    c.configs.push_back({"sliced_1d", [=](cudaStream_t st, float* out) {
                           CHECK(dnn_depthwise_conv2d__miriam_launch_sliced(whole(grid, block, st), in, wt, bias, out, n, ch, h, w,
                                                                            r, s_, p, q, stride, pad, act));
                         }});
    run_case(c, rounds, stream);
  }
  {  // dnn_max_pool2d, ResNet stem pool 3x3/2 at 112x112, 64 channels
    const int n = 8, ch = 64, h = 112, w = 112, r = 3, s_ = 3, p = 56, q = 56, stride = 2, pad = 1;
    float* in = device_random(size_t(n) * ch * h * w, rng);
    const dim3 grid(6272), block(256);
    Case c{"dnn_max_pool2d", size_t(n) * ch * p * q, {}};
    auto orig = [=](cudaStream_t st, float* out) {
      dnn_max_pool2d<<<grid, block, 0, st>>>(in, out, n, ch, h, w, r, s_, p, q, stride, pad);
    };
    c.configs.push_back({"original", orig});
    c.configs.push_back({"original_aa", orig});
    c.configs.push_back({"sliced_1d", [=](cudaStream_t st, float* out) {
                           CHECK(dnn_max_pool2d__miriam_launch_sliced(whole(grid, block, st), in, out, n, ch, h, w, r, s_, p, q,
                                                                      stride, pad));
                         }});
    run_case(c, rounds, stream);
  }
  CHECK(cudaStreamDestroy(stream));
  return 0;
}
