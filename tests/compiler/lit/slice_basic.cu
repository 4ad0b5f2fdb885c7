// The original kernel stays unchanged; a sliced variant and its launch helper
// follow it; the registration names both.
// RUN: rm -rf %t && %miriamc --passes=sliced %s -o %t > %t.summary
// RUN: FileCheck %s < %t/slice_basic.elastic.cu
// RUN: FileCheck --check-prefix=SUMMARY %s < %t.summary
// RUN: FileCheck --check-prefix=MANIFEST %s < %t/slice_basic.miriam.json
// RUN: %validate %t/slice_basic.miriam.json
// REQUIRES: nvcc
// RUN: %nvcc -I%support_include %t/slice_basic.elastic.cu

#include <cuda_runtime.h>

__global__ void saxpy(float a, const float* x, float* y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}

// CHECK: #include "miriam/elastic.cuh"
// CHECK: __global__ void saxpy(float a, const float* x, float* y, int n) {
// CHECK-NEXT:   int i = blockIdx.x * blockDim.x + threadIdx.x;
// CHECK: __global__ void saxpy__miriam_sliced(const ::miriam::Slice __miriam_slice, float a, const float* x, float* y, int n) {
// CHECK: if (!::miriam::slice_block_active(__miriam_slice)) return;
// CHECK: const uint3 blockIdx = __miriam_grid.block;
// CHECK-NOT: const dim3 gridDim
// CHECK: int i = blockIdx.x * blockDim.x + threadIdx.x;
// CHECK: cudaError_t saxpy__miriam_launch_sliced(const ::miriam::SliceLaunch& __miriam_launch, float a, const float* x, float* y, int n) {
// CHECK: saxpy__miriam_sliced<<<__miriam_launch.physical_grid(), __miriam_launch.block,
// CHECK: (__miriam_launch.slice(), a, x, y, n);
// CHECK: {{[{]}}"sliced", "saxpy__miriam_sliced", reinterpret_cast<const void*>(&::saxpy__miriam_sliced)},
// CHECK: {{[{]}}"saxpy", "", "_Z5saxpyfPKfPfi", reinterpret_cast<const void*>(&::saxpy), __miriam_variants_0, 1u},

// SUMMARY: 1 kernel(s), 1 with elastic variants
// SUMMARY: saxpy{{ +}}sliced

// MANIFEST: "schema_version": 1
// MANIFEST: "mangled": "_Z5saxpyfPKfPfi"
// MANIFEST: "kind": "sliced"
// MANIFEST: "mangled": [
// MANIFEST-NEXT: "_Z20saxpy__miriam_slicedN6miriam5SliceEfPKfPfi"
