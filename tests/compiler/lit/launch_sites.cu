// --rewrite-launches: host k<<<...>>> sites become miriam::launch_kernel calls
// with the kernel's parameter types (so arguments convert as in the original
// call); the configuration and argument text stay the user's own.
// RUN: rm -rf %t && %miriamc %s -o %t --quiet --rewrite-launches -- -I%S/Inputs 2> %t.stderr
// RUN: FileCheck %s < %t/launch_sites.elastic.cu
// RUN: FileCheck --check-prefix=HEADER %s < %t/launch_sites.elastic.cu
// RUN: FileCheck --check-prefix=WARN %s < %t.stderr
// Without the option nothing changes in host code.
// RUN: rm -rf %t.off && %miriamc %s -o %t.off --quiet -- -I%S/Inputs 2> %t.off.stderr
// RUN: FileCheck --check-prefix=OFF %s < %t.off/launch_sites.elastic.cu
// RUN: not grep miriam-launch %t.off.stderr
// REQUIRES: nvcc
// RUN: %nvcc -I%support_include -I%S/Inputs %t/launch_sites.elastic.cu

#include <cuda_runtime.h>

#include "launch_header.cuh"

namespace blas {
template <typename T, int Unroll>
__global__ void scale(T* x, T a, int n) {
  int i = (blockIdx.x * blockDim.x + threadIdx.x) * Unroll;
  for (int u = 0; u < Unroll; ++u)
    if (i + u < n) x[i + u] *= a;
}
}  // namespace blas

struct Pair { int a; float b; };
__global__ void plain(float* x, long long base, unsigned char step, int n) { x[0] = base + step + n; }
__global__ void with_pair(Pair p, const float* __restrict__ in, float* out) { out[0] = p.a + in[0]; }
template <class T> __global__ void axpy(T a, const T* x, T* y, int n) { y[0] = a * x[0] + y[0]; }
__global__ void defaulted(int* x, int add = 3) { x[0] = add; }
__global__ void no_params() {}

namespace {
__global__ void hidden(int* x) { x[0] = 2; }
}

#define LAUNCH_PLAIN(x) plain<<<1, 1>>>(x, 1, 2, 3)
#define CHECKED(...) do { __VA_ARGS__; } while (0)

template <class T> void run_explicit(T a, const T* x, T* y, int n, cudaStream_t s) {
  axpy<T><<<(n + 127) / 128, 128, 0, s>>>(a, x, y, n);
}
template <class T> void run_deduced(T a, const T* x, T* y, int n) {
  axpy<<<1, 1>>>(a, x, y, n);
}
template <class T> void never_instantiated(T a, const T* x, T* y, int n) {
  axpy<T><<<1, 1>>>(a, x, y, n);
}
template <class T> struct Runner {
  void go(T* x, cudaStream_t s) { blas::scale<T, 1><<<2, 64, 0, s>>>(x, T(2), 8); }
};

void host_code(float* f, int* i, double* d, cudaStream_t s) {
  plain<<<dim3(2), 128, 256, s>>>(f, 7, 30, 2.5);
  blas::scale<float, 4><<<1, 32>>>(f, 2, 16);
  with_pair<<<1, 1>>>({1, 2.0f}, f, f);
  axpy<<<1, 1>>>(2.0f, f, f, 4);
  ::hidden<<<1, 1>>>(i);
  no_params<<<1, 1>>>();
  CHECKED(plain<<<1, 1, 0, s>>>(f, 1, 2, 3));
  auto in_lambda = [&] { axpy<double><<<1, 1, 0, s>>>(1.0, d, d, 1); };
  in_lambda();
  run_explicit(2.0, d, d, 1, s);
  run_explicit(2.0f, f, f, 1, s);
  run_deduced(2.0f, f, f, 1);
  Runner<double>().go(d, s);
  defaulted<<<1, 1>>>(i);
  LAUNCH_PLAIN(f);
  launch_from_header(i);
}

// HEADER: #include "miriam/elastic.cuh"
// HEADER-NEXT: #include "miriam/launch.h"
// HEADER-NEXT: #line 1 "{{.*}}launch_sites.cu"

// A launch in a template with every template argument written: rewritten in the pattern.
// CHECK: template <class T> void run_explicit(
// CHECK-NEXT: {{^  }}::miriam::detail::launch_site(&axpy<T>, (n + 127) / 128, 128, 0, s)(a, x, y, n);
// CHECK: template <class T> void run_deduced(
// CHECK-NEXT: {{^  }}axpy<<<1, 1>>>(a, x, y, n);
// CHECK: template <class T> void never_instantiated(
// CHECK-NEXT: {{^  }}axpy<T><<<1, 1>>>(a, x, y, n);
// CHECK: void go(T* x, cudaStream_t s) { ::miriam::detail::launch_site(&blas::scale<T, 1>, 2, 64, 0, s)(x, T(2), 8); }
// Parameter types written out (conversions as in the call), configuration and arguments untouched.
// CHECK: void host_code(
// CHECK-NEXT: {{^  }}::miriam::detail::LaunchSite< float *, long long, unsigned char, int >::make(&plain, dim3(2), 128, 256, s)(f, 7, 30, 2.5);
// CHECK-NEXT: {{^  }}::miriam::detail::LaunchSite< float *, float, int >::make(&blas::scale<float, 4>, 1, 32)(f, 2, 16);
// CHECK-NEXT: {{^  }}::miriam::detail::LaunchSite< Pair, const float *, float * >::make(&with_pair, 1, 1)({1, 2.0f}, f, f);
// CHECK-NEXT: {{^  }}::miriam::detail::LaunchSite< float, const float *, float *, int >::make(&axpy, 1, 1)(2.0f, f, f, 4);
// CHECK-NEXT: {{^  }}::miriam::detail::LaunchSite< int * >::make(&::hidden, 1, 1)(i);
// CHECK-NEXT: {{^  }}::miriam::detail::LaunchSite<  >::make(&no_params, 1, 1)();
// CHECK-NEXT: {{^  }}CHECKED(::miriam::detail::LaunchSite< float *, long long, unsigned char, int >::make(&plain, 1, 1, 0, s)(f, 1, 2, 3));
// CHECK-NEXT: {{^  }}auto in_lambda = [&] { ::miriam::detail::LaunchSite< double, const double *, double *, int >::make(&axpy<double>, 1, 1, 0, s)(1.0, d, d, 1); };
// Refused sites stay as written.
// CHECK: {{^  }}defaulted<<<1, 1>>>(i);
// CHECK-NEXT: {{^  }}LAUNCH_PLAIN(f);

// WARN: launch_sites.cu:46:3: warning: launch of 'axpy' not rewritten: the kernel template's arguments are deduced per instantiation; write them all at the launch (axpy<...><<<...>>>) to let miriamc rewrite it; it stays a direct launch, not coordinated [miriam-launch-refused]
// WARN: launch_sites.cu:49:3: warning: launch of 'axpy' not rewritten: it is in a template that is not instantiated in this file
// WARN: launch_sites.cu:69:3: warning: launch of 'defaulted' not rewritten: it relies on a default argument of the kernel
// WARN: launch_sites.cu:70:3: warning: launch of 'plain' not rewritten: it is written inside the macro 'LAUNCH_PLAIN'
// WARN-NOT: warning:

// OFF-NOT: miriam/launch.h
// OFF-NOT: miriam::detail::LaunchSite
// OFF: {{^  }}plain<<<dim3(2), 128, 256, s>>>(f, 7, 30, 2.5);
