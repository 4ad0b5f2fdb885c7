// A macro that reads blockIdx, used in a kernel and in host code: the #define
// and the host code stay untouched; the clone's shadowing local gives the
// macro's expansion inside the variant the logical index.
// RUN: rm -rf %t && %miriamc %s -o %t --quiet
// RUN: FileCheck %s < %t/macro_index.elastic.cu
// REQUIRES: nvcc
// RUN: %nvcc -I%support_include %t/macro_index.elastic.cu

#include <cuda_runtime.h>
#define TID (blockIdx.x * blockDim.x + threadIdx.x)

__global__ void fill(int* out) { out[TID] = TID; }

int host_reference(int* out, unsigned blocks, unsigned threads) {
  for (unsigned b = 0; b < blocks; ++b)
    for (unsigned t = 0; t < threads; ++t) {
      dim3 blockIdx(b), blockDim(threads), threadIdx(t);
      out[TID] = TID;
    }
  return 0;
}

// CHECK: #define TID (blockIdx.x * blockDim.x + threadIdx.x)
// CHECK: __global__ void fill(int* out) { out[TID] = TID; }
// CHECK: __global__ void fill__miriam_sliced(const ::miriam::Slice __miriam_slice, int* out) {
// CHECK: const uint3 blockIdx = __miriam_grid.block;
// CHECK: out[TID] = TID; }
// CHECK: dim3 blockIdx(b), blockDim(threads), threadIdx(t);
// CHECK-NEXT: out[TID] = TID;
