// Device functions that read blockIdx/gridDim, directly or through others,
// get clones taking the logical grid; prototypes get cloned prototypes; calls
// in clones are redirected; functions that read nothing are left alone.
// RUN: rm -rf %t && %miriamc %s -o %t --quiet
// RUN: FileCheck %s < %t/device_callees.elastic.cu
// RUN: FileCheck --check-prefix=MANIFEST %s < %t/device_callees.miriam.json
// REQUIRES: nvcc
// RUN: %nvcc -I%support_include %t/device_callees.elastic.cu

#include <cuda_runtime.h>

__device__ unsigned linear_block();
__host__ __device__ inline float twice(float v) { return 2.0f * v; }
__device__ unsigned origin(unsigned elems, unsigned scale = 1) { return linear_block() * elems * scale; }

__global__ void iota(unsigned* out, unsigned elems) {
  unsigned base = origin(elems);
  for (unsigned k = threadIdx.x; k < elems; k += blockDim.x) out[base + k] = base + k + (unsigned)twice(1.0f);
}

__device__ unsigned linear_block() { return blockIdx.x + gridDim.x * blockIdx.y; }

// CHECK: __device__ unsigned linear_block();
// CHECK-NEXT: #line
// CHECK-NEXT: // miriam: 'linear_block' with blockIdx/gridDim
// CHECK-NEXT: #line
// CHECK-NEXT: __device__ unsigned linear_block__miriam_lg(const ::miriam::LogicalGrid __miriam_grid);
// CHECK-NOT: twice__miriam_lg
// CHECK: __device__ unsigned origin__miriam_lg(const ::miriam::LogicalGrid __miriam_grid, unsigned elems, unsigned scale = 1) {
// CHECK: return linear_block__miriam_lg(__miriam_grid) * elems * scale; }
// CHECK: __global__ void iota__miriam_sliced(
// CHECK: unsigned base = origin__miriam_lg(__miriam_grid, elems);
// CHECK-SAME: {{$}}
// CHECK: out[base + k] = base + k + (unsigned)twice(1.0f);
// CHECK: __device__ unsigned linear_block__miriam_lg(const ::miriam::LogicalGrid __miriam_grid) {
// CHECK: const uint3 blockIdx = __miriam_grid.block;
// CHECK: const dim3 gridDim = __miriam_grid.grid;

// MANIFEST: "device_callees_reading_builtins": [
// MANIFEST-DAG: "origin"
// MANIFEST-DAG: "linear_block"
