// The persistent variant: P blocks loop over logical blocks, claiming each
// with an atomic ticket; the original body runs inside the loop with logical
// blockIdx/gridDim, and `return` means "next logical block".
// RUN: rm -rf %t && %miriamc %s -o %t --passes=sliced,persistent > %t.summary
// RUN: FileCheck %s < %t/persistent_basic.elastic.cu
// RUN: FileCheck --check-prefix=RET %s < %t/persistent_basic.elastic.cu
// RUN: FileCheck --check-prefix=SUMMARY %s < %t.summary
// RUN: FileCheck --check-prefix=MANIFEST %s < %t/persistent_basic.miriam.json
// RUN: %validate %t/persistent_basic.miriam.json
// REQUIRES: nvcc
// RUN: %nvcc -I%support_include %t/persistent_basic.elastic.cu

#include <cuda_runtime.h>

__device__ unsigned block_base() { return blockIdx.x * blockDim.x; }

__global__ void scale(float a, float* x, int n) {
  int i = block_base() + threadIdx.x;
  if (i < n) x[i] *= a;
}

// One shared clone of the callee serves both variants.
// CHECK: __device__ unsigned block_base{{__}}miriam_lg(const ::miriam::LogicalGrid {{__}}miriam_grid)
// CHECK: __global__ void scale(float a, float* x, int n) {
// CHECK-NEXT: int i = block_base() + threadIdx.x;
// CHECK-NOT: __device__ unsigned block_base{{__}}miriam_lg(
// CHECK: __global__ void scale{{__}}miriam_persistent(::miriam::PersistentControl* {{__}}miriam_ctrl, const ::miriam::Slice {{__}}miriam_slice, float a, float* x, int n) {
// CHECK: __shared__ unsigned long long {{__}}miriam_claimed_block;
// CHECK-NEXT: for (;;) {
// CHECK-NEXT: if (::miriam::persistent_leader())
// CHECK-NEXT: {{__}}miriam_claimed_block = ::miriam::persistent_claim({{__}}miriam_ctrl, {{__}}miriam_slice);
// CHECK-NEXT: __syncthreads();
// CHECK-NEXT: const unsigned long long {{__}}miriam_block = {{__}}miriam_claimed_block;
// CHECK-NEXT: if ({{__}}miriam_block >= {{__}}miriam_slice.end) break;
// CHECK: ::miriam::logical_grid(::miriam::slice_logical_block({{__}}miriam_slice, {{__}}miriam_block), {{__}}miriam_slice.grid);
// CHECK-NEXT: (void){{__}}miriam_grid;
// CHECK: int i = block_base{{__}}miriam_lg({{__}}miriam_grid) + threadIdx.x;
// CHECK: }  // end of the original body
// CHECK-NOT: {{__}}miriam_next_block:
// CHECK: __syncthreads();
// CHECK-NEXT: }  // persistent loop
// CHECK: cudaError_t scale{{__}}miriam_launch_persistent(const ::miriam::PersistentLaunch& {{__}}miriam_launch, float a, float* x, int n) {
// CHECK: ::miriam::persistent_prepare_launch({{__}}miriam_launch);
// CHECK: scale{{__}}miriam_persistent<<<{{__}}miriam_launch.physical_grid(), {{__}}miriam_launch.block,
// CHECK: ({{__}}miriam_launch.control, {{__}}miriam_launch.slice(), a, x, n);
// CHECK: {"sliced", "scale{{__}}miriam_sliced", reinterpret_cast<const void*>(&::scale{{__}}miriam_sliced)},
// CHECK: {"persistent", "scale{{__}}miriam_persistent", reinterpret_cast<const void*>(&::scale{{__}}miriam_persistent)},

__device__ void store(float* p, float v) { *p = v; }

// Early returns without any barrier: each becomes a jump to the end of the
// loop iteration, also a `return <void expression>;` and the final `return;`.
__global__ void clip_rows(float* x, int rows, int cols, float hi) {
  const int r = blockIdx.y;
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  if (c >= cols)
    return;
  for (int k = 0; k < 4; ++k) {
    if (x[r * cols + c] <= hi) { return; }
  }
  if (x[r * cols + c] > 2 * hi) return store(&x[r * cols + c], 2 * hi);
  x[r * cols + c] = hi;
  return;
}

// RET: __global__ void clip_rows{{__}}miriam_persistent(
// RET: const uint3 blockIdx = {{__}}miriam_grid.block;
// RET: if (r >= rows) goto {{__}}miriam_next_block;
// RET-NEXT: if (c >= cols)
// RET-NEXT: goto {{__}}miriam_next_block;
// RET: if (x[r * cols + c] <= hi) { goto {{__}}miriam_next_block; }
// RET: if (x[r * cols + c] > 2 * hi) { store(&x[r * cols + c], 2 * hi); goto {{__}}miriam_next_block; }
// RET-NEXT: x[r * cols + c] = hi;
// RET-NEXT: goto {{__}}miriam_next_block;
// RET: }  // end of the original body
// RET-NEXT: {{__}}miriam_next_block:  // where `return` in the body goes
// RET: __syncthreads();
// RET-NEXT: }  // persistent loop
// RET-NOT: return;
// RET: cudaError_t clip_rows{{__}}miriam_launch_persistent(

// A barrier with only a final `return`: allowed (the shared tile is reused
// by the next logical block only after the loop's closing barrier).
template <int TILE>
__global__ void tile_reverse(const float* in, float* out) {
  __shared__ float tile[TILE];
  const int base = blockIdx.x * TILE;
  tile[threadIdx.x] = in[base + threadIdx.x];
  __syncthreads();
  out[base + threadIdx.x] = tile[TILE - 1 - threadIdx.x] + gridDim.x;
  return;
}
template __global__ void tile_reverse<128>(const float*, float*);

// RET: cudaError_t tile_reverse{{__}}miriam_launch_sliced(
// RET: {{^}}template <int TILE>
// RET-NEXT: __global__ void tile_reverse{{__}}miriam_persistent(::miriam::PersistentControl* {{__}}miriam_ctrl, const ::miriam::Slice {{__}}miriam_slice, const float* in, float* out) {
// RET: const uint3 blockIdx = {{__}}miriam_grid.block;
// RET-NEXT: const dim3 gridDim = {{__}}miriam_grid.grid;
// RET: {{^}}  goto {{__}}miriam_next_block;
// RET: {{^}}template <int TILE>
// RET-NEXT: cudaError_t tile_reverse{{__}}miriam_launch_persistent(const ::miriam::PersistentLaunch& {{__}}miriam_launch, const float* in, float* out) {
// RET: tile_reverse{{__}}miriam_persistent<TILE><<<

// SUMMARY: 3 kernel(s), 3 with elastic variants
// SUMMARY: scale{{ +}}sliced, persistent
// SUMMARY: clip_rows{{ +}}sliced, persistent
// SUMMARY: tile_reverse{{ +}}sliced, persistent

// MANIFEST: "name": "scale"
// MANIFEST: "kind": "persistent"
// MANIFEST-NEXT: "entry": "scale{{__}}miriam_persistent"
// MANIFEST-NEXT: "mangled": [
// MANIFEST-NEXT: "_Z24scale{{__}}miriam_persistentPN6miriam17PersistentControlENS_5SliceEfPfi"
// MANIFEST: "extra_params": [
// MANIFEST-NEXT: {
// MANIFEST-NEXT: "name": "{{__}}miriam_ctrl"
// MANIFEST-NEXT: "type": "miriam::PersistentControl*"
// MANIFEST-NEXT: "position": 0
// MANIFEST: "name": "{{__}}miriam_slice"
// MANIFEST-NEXT: "type": "miriam::Slice"
// MANIFEST-NEXT: "position": 1
// MANIFEST: "launch_helper": "scale{{__}}miriam_launch_persistent"
