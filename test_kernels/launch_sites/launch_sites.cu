// Host code with the launch sites miriamc --rewrite-launches must handle:
// kernels in namespaces, templates with explicit and deduced arguments,
// implicit argument conversions, launches inside a template, inside a macro
// argument (rewritten) and inside a macro body (refused), a default argument
// (refused), stream arguments. Used by tests/runtime/launch/ (GPU) and
// tests/compiler/lit/launch_sites*.cu.
#include "launch_sites.h"

#include <cstdint>

namespace ops {
__global__ void scale(float* x, float a, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] = x[i] * a;
}
template <typename T, int Unroll>
__global__ void add_index(T* x, int n) {
  const int i = (blockIdx.x * blockDim.x + threadIdx.x) * Unroll;
  for (int u = 0; u < Unroll; ++u)
    if (i + u < n) x[i + u] += static_cast<T>(i + u);
}
}  // namespace ops

// Parameters the arguments convert to: int -> long long, int -> unsigned char, double -> float.
__global__ void fill(int* out, long long base, unsigned char step, float bias, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = static_cast<int>(base + step * i + static_cast<int>(bias));
}

template <class T>
__global__ void axpy(T a, const T* x, T* y, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}

struct Pair {
  int a;
  float b;
};
__global__ void use_pair(Pair p, int* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] += p.a + static_cast<int>(p.b);
}

__global__ void with_default(int* out, int n, int add = 5) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] += add;
}

// Waits ~`ns` nanoseconds, then writes: shows whether work around it is ordered.
__global__ void slow_write(int* out, int value, unsigned long long ns) {
  const unsigned long long start = clock64();
  while (clock64() - start < ns) {
  }
  out[threadIdx.x] = value + static_cast<int>(threadIdx.x);
}
__global__ void slow_add_one(int* out, unsigned long long ns) {
  const unsigned long long start = clock64();
  while (clock64() - start < ns) {
  }
  out[threadIdx.x] += 1;
}

// A launch inside the template: explicit template arguments, so the pattern is rewritten.
template <class T>
void run_axpy(T a, const T* x, T* y, int n, cudaStream_t stream) {
  axpy<T><<<(n + 127) / 128, 128, 0, stream>>>(a, x, y, n);
}
// Deduced template arguments inside a template: refused (stays <<<>>>).
template <class T>
void run_axpy_deduced(T a, const T* x, T* y, int n, cudaStream_t stream) {
  axpy<<<(n + 127) / 128, 128, 0, stream>>>(a, x, y, n);
}

#define CHECKED(...) \
  do {               \
    __VA_ARGS__;     \
  } while (0)
#define SLOW_WRITE(out, value) slow_write<<<1, 64, 0, stream>>>(out, value, 20000000ull)
#define FILL_ALL(out, n) fill<<<((n) + 255) / 256, 256, 0, stream>>>(out, 1, 2, 0.5, n)

namespace {
thread_local cudaError_t first_error = cudaSuccess;  // the tests run the workload from two threads at once
void check(cudaError_t err) {
  if (err != cudaSuccess && first_error == cudaSuccess) first_error = err;
}
}  // namespace

LaunchSitesResult run_launch_sites(int n, bool use_default_stream) {
  LaunchSitesResult r;
  first_error = cudaSuccess;
  cudaStream_t stream = nullptr;
  if (!use_default_stream) check(cudaStreamCreate(&stream));
  std::vector<float> host(n);
  for (int i = 0; i < n; ++i) host[i] = 0.25f * static_cast<float>(i % 97);
  float *x = nullptr, *y = nullptr;
  int *ints = nullptr, *ordered = nullptr;
  double *dx = nullptr, *dy = nullptr;
  check(cudaMalloc(&x, n * sizeof(float)));
  check(cudaMalloc(&y, n * sizeof(float)));
  check(cudaMalloc(&ints, n * sizeof(int)));
  check(cudaMalloc(&ordered, 64 * sizeof(int)));
  check(cudaMalloc(&dx, n * sizeof(double)));
  check(cudaMalloc(&dy, n * sizeof(double)));
  check(cudaMemcpyAsync(x, host.data(), n * sizeof(float), cudaMemcpyHostToDevice, stream));
  check(cudaMemcpyAsync(y, host.data(), n * sizeof(float), cudaMemcpyHostToDevice, stream));

  const int blocks = (n + 255) / 256;
  ops::scale<<<blocks, 256, 0, stream>>>(x, 1.5, n);  // double -> float
  ++r.launches;
  ops::add_index<float, 2><<<dim3((n + 511) / 512), dim3(256), 0, stream>>>(x, n);
  ++r.launches;
  axpy<<<blocks, 256, 0, stream>>>(2.0f, x, y, n);  // deduced: axpy<float>
  ++r.launches;
  fill<<<blocks, 256, 0, stream>>>(ints, 1000, 3, 2.75, n);
  ++r.launches;
  CHECKED(use_pair<<<blocks, 256, 0, stream>>>(Pair{4, 2.5f}, ints, n));  // in a macro argument
  ++r.launches;
  with_default<<<blocks, 256, 0, stream>>>(ints, n);  // refused: default argument
  ++r.launches, ++r.direct_sites;

  std::vector<double> dhost(n);
  for (int i = 0; i < n; ++i) dhost[i] = 1.0 / (1 + i % 13);
  check(cudaMemcpyAsync(dx, dhost.data(), n * sizeof(double), cudaMemcpyHostToDevice, stream));
  check(cudaMemcpyAsync(dy, dhost.data(), n * sizeof(double), cudaMemcpyHostToDevice, stream));
  run_axpy(3.0, dx, dy, n, stream);
  ++r.launches;
  run_axpy_deduced(0.5, dx, dy, n, stream);  // refused: deduced in a template
  ++r.launches, ++r.direct_sites;

  // Ordering with the caller's stream: a slow kernel launched directly (a
  // refused site) writes; the rewritten, also slow, slow_add_one must run
  // after it, and the copy on the caller's stream after that.
  SLOW_WRITE(ordered, 100);
  ++r.launches, ++r.direct_sites;
  slow_add_one<<<1, 64, 0, stream>>>(ordered, 20000000ull);
  ++r.launches;
  r.ordered.resize(64);
  check(cudaMemcpyAsync(r.ordered.data(), ordered, 64 * sizeof(int), cudaMemcpyDeviceToHost, stream));

  r.scaled.resize(n);
  r.filled.resize(n);
  r.axpy_out.resize(n);
  check(cudaMemcpyAsync(r.scaled.data(), y, n * sizeof(float), cudaMemcpyDeviceToHost, stream));
  check(cudaMemcpyAsync(r.filled.data(), ints, n * sizeof(int), cudaMemcpyDeviceToHost, stream));
  check(cudaMemcpyAsync(r.axpy_out.data(), dy, n * sizeof(double), cudaMemcpyDeviceToHost, stream));
  check(cudaStreamSynchronize(stream));

  // A launch CUDA rejects (too many threads per block): cudaGetLastError() must say so.
  check(cudaGetLastError());
  fill<<<1, 4096, 0, stream>>>(ints, 0, 0, 0.0f, n);
  ++r.launches, ++r.rejected;
  r.bad_launch_error = cudaGetLastError();
  // A launch written inside a macro's body: refused, launched directly.
  FILL_ALL(ints, n);
  ++r.launches, ++r.direct_sites;
  check(cudaStreamSynchronize(stream));

  check(cudaFree(x));
  check(cudaFree(y));
  check(cudaFree(ints));
  check(cudaFree(ordered));
  check(cudaFree(dx));
  check(cudaFree(dy));
  if (stream) check(cudaStreamDestroy(stream));
  r.error = first_error;
  return r;
}
