// Whole-struct uses of the builtins, 3D grids and grid-stride loops over
// blockDim.x * gridDim.x read the logical grid in the clone; host variables
// named gridDim/blockDim are never touched.
// RUN: rm -rf %t && %miriamc %s -o %t --quiet
// RUN: FileCheck %s < %t/whole_struct_grid_stride.elastic.cu
// REQUIRES: nvcc
// RUN: %nvcc -I%support_include %t/whole_struct_grid_stride.elastic.cu

#include <cuda_runtime.h>

__global__ void block_map(uint3* out) {
  dim3 b = blockIdx;
  dim3 g = gridDim;
  out[b.x + g.x * (b.y + g.y * b.z)] = make_uint3(b.x, b.y, b.z);
}

__global__ void scale_all(float* x, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) x[i] *= 2.0f;
}

void launch(float* x, int n) {
  dim3 gridDim((n + 255) / 256), blockDim(256);
  scale_all<<<gridDim, blockDim>>>(x, n);
}

// CHECK: __global__ void block_map__miriam_sliced(
// CHECK: const uint3 blockIdx = __miriam_grid.block;
// CHECK-NEXT: const dim3 gridDim = __miriam_grid.grid;
// CHECK: dim3 b = blockIdx;
// CHECK: __global__ void scale_all__miriam_sliced(
// CHECK: const dim3 gridDim = __miriam_grid.grid;
// CHECK: i += blockDim.x * gridDim.x
// CHECK: void launch(float* x, int n) {
// CHECK-NEXT: dim3 gridDim((n + 255) / 256), blockDim(256);
// CHECK-NEXT: scale_all<<<gridDim, blockDim>>>(x, n);
