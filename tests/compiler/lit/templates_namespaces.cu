// Template kernels get one variant per primary template; every instantiation
// in the file is listed with its mangled name and registered. Kernels in
// namespaces and anonymous namespaces are named from file scope.
// RUN: rm -rf %t && %miriamc %s -o %t --quiet
// RUN: FileCheck %s < %t/templates_namespaces.elastic.cu
// RUN: FileCheck --check-prefix=MANIFEST %s < %t/templates_namespaces.miriam.json
// RUN: %validate %t/templates_namespaces.miriam.json
// REQUIRES: nvcc
// RUN: %nvcc -I%support_include %t/templates_namespaces.elastic.cu

#include <cuda_runtime.h>

namespace blas { namespace detail {
template <typename T, int Unroll>
__global__ void __launch_bounds__(128, 4) scale(T* x, T a, int n) {
  int i = (blockIdx.x * blockDim.x + threadIdx.x) * Unroll;
  for (int u = 0; u < Unroll; ++u)
    if (i + u < n) x[i + u] *= a;
}
template __global__ void scale<float, 2>(float*, float, int);
}}  // namespace blas::detail

namespace {
__global__ void negate(int* x, int n) {
  extern __shared__ int staging[];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) { staging[threadIdx.x] = -x[i]; x[i] = staging[threadIdx.x]; }
}
}  // namespace

void run(double* d, int n) { blas::detail::scale<double, 1><<<(n + 127) / 128, 128>>>(d, 2.0, n); }

// CHECK: // miriam: sliced variant of 'blas::detail::scale'
// CHECK-NEXT: #line 14 "{{.*}}templates_namespaces.cu"
// CHECK-NEXT: template <typename T, int Unroll>
// CHECK-NEXT: __global__ void __launch_bounds__(128, 4) scale__miriam_sliced(const ::miriam::Slice __miriam_slice, T* x, T a, int n) {
// CHECK: template <typename T, int Unroll>
// CHECK-NEXT: cudaError_t scale__miriam_launch_sliced(const ::miriam::SliceLaunch& __miriam_launch, T* x, T a, int n) {
// CHECK: scale__miriam_sliced<T, Unroll><<<
// The persistent helper gives a whole-grid launch that needs no loop to the
// original kernel, named from file scope (a parameter could shadow its name):
// CHECK: ::blas::detail::scale<T, Unroll><<<{{__}}miriam_launch.grid, {{__}}miriam_launch.block, 0, {{__}}miriam_launch.stream>>>(x, a, n);
// CHECK: static cudaError_t negate__miriam_launch_sliced(
// CHECK-DAG: {{[{]}}"blas::detail::scale", "float, 2", "_ZN4blas6detail5scaleIfLi2EEEvPT_S2_i", reinterpret_cast<const void*>(&::blas::detail::scale< float, 2 >)
// CHECK-DAG: {{[{]}}"blas::detail::scale", "double, 1", "_ZN4blas6detail5scaleIdLi1EEEvPT_S2_i", reinterpret_cast<const void*>(&::blas::detail::scale< double, 1 >)
// CHECK-DAG: reinterpret_cast<const void*>(&::blas::detail::scale{{__}}miriam_sliced< float, 2 >)
// CHECK-DAG: {{[{]}}"negate", "", "_ZN12_GLOBAL__N_16negateEPii", reinterpret_cast<const void*>(&::negate)

// MANIFEST: "name": "scale"
// MANIFEST-NEXT: "qualified_name": "blas::detail::scale"
// MANIFEST: "is_template": true
// MANIFEST: "template_args": "float, 2"
// MANIFEST: "template_args": "double, 1"
// MANIFEST: "launch_bounds": {
// MANIFEST-NEXT: "max_threads_per_block": 128,
// MANIFEST-NEXT: "min_blocks_per_sm": 4
// MANIFEST: "entry": "blas::detail::scale__miriam_sliced"
// MANIFEST: "dynamic_shared_memory": true
