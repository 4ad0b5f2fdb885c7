// The persistent variant: P blocks loop over logical blocks, claiming chunks
// of them by atomic ticket; the original body runs inside the loop with logical
// blockIdx/gridDim, and `return` means "next logical block". Kernels whose
// logical blocks share nothing inside a block get the chunk loop (one barrier
// per chunk), the others the block loop (one per logical block).
// RUN: rm -rf %t && %miriamc %s -o %t --passes=sliced,persistent --persistent-loop=chunks > %t.summary
// RUN: FileCheck %s < %t/persistent_basic.elastic.cu
// RUN: FileCheck --check-prefix=RET %s < %t/persistent_basic.elastic.cu
// RUN: FileCheck --check-prefix=PARAMS %s < %t/persistent_basic.elastic.cu
// RUN: FileCheck --check-prefix=SUMMARY %s < %t.summary
// RUN: FileCheck --check-prefix=MANIFEST %s < %t/persistent_basic.miriam.json
// RUN: %validate %t/persistent_basic.miriam.json
// Without the sliced pass the persistent helper always runs the loop; by
// default every kernel gets the block loop:
// RUN: rm -rf %t.alone && %miriamc %s -o %t.alone --passes=persistent > /dev/null
// RUN: FileCheck --check-prefix=ALONE %s < %t.alone/persistent_basic.elastic.cu
// RUN: FileCheck --check-prefix=ALONE-MANIFEST %s < %t.alone/persistent_basic.miriam.json
// RUN: %validate %t.alone/persistent_basic.miriam.json
// REQUIRES: nvcc
// RUN: %nvcc -I%support_include %t/persistent_basic.elastic.cu
// RUN: %nvcc -I%support_include %t.alone/persistent_basic.elastic.cu

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
// With --persistent-loop=chunks: `scale` shares nothing among its threads (no
// shared memory, barriers or warp-level operations): the chunk loop, one
// barrier per claimed chunk.
// CHECK: __shared__ ::miriam::PersistentChunkClaims {{__}}miriam_claims;
// CHECK-NEXT: if (::miriam::persistent_leader()) ::miriam::persistent_first_chunk({{__}}miriam_claims, {{__}}miriam_ctrl, {{__}}miriam_slice);
// CHECK-NEXT: __syncthreads();
// CHECK-NEXT: for (unsigned int {{__}}miriam_slot = 0;; {{__}}miriam_slot ^= 1u) {
// CHECK-NEXT: unsigned long long {{__}}miriam_linear;
// CHECK: if (!::miriam::persistent_chunk_block({{__}}miriam_claims, {{__}}miriam_slot, 0u, &{{__}}miriam_linear)) break;
// CHECK: #pragma unroll 1
// CHECK-NEXT: for (unsigned int {{__}}miriam_k = 1;; ++{{__}}miriam_k) {
// CHECK: ::miriam::logical_grid(::miriam::slice_logical_block({{__}}miriam_slice, {{__}}miriam_linear), {{__}}miriam_slice.grid);
// CHECK-NEXT: (void){{__}}miriam_grid;
// CHECK-NEXT: // plain copies
// CHECK-NEXT: const auto {{__}}miriam_fresh_a = a;
// CHECK-NEXT: const auto {{__}}miriam_fresh_x = x;
// CHECK-NEXT: const auto {{__}}miriam_fresh_n = n;
// CHECK: {  // the original body
// CHECK-NEXT: // this logical block's own parameters
// CHECK-NEXT: decltype(a) a = {{__}}miriam_fresh_a;
// CHECK-NEXT: decltype(x) x = {{__}}miriam_fresh_x;
// CHECK-NEXT: decltype(n) n = {{__}}miriam_fresh_n;
// CHECK: int i = block_base{{__}}miriam_lg({{__}}miriam_grid) + threadIdx.x;
// CHECK-NOT: __syncthreads
// CHECK: }  // end of the original body
// CHECK-NOT: {{__}}miriam_next_block:
// CHECK: if (!::miriam::persistent_chunk_block({{__}}miriam_claims, {{__}}miriam_slot, {{__}}miriam_k, &{{__}}miriam_linear)) break;
// CHECK-NEXT: }  // the chunk's logical blocks
// CHECK-NEXT: if (::miriam::persistent_leader())
// CHECK-NEXT: ::miriam::persistent_next_chunk({{__}}miriam_claims, {{__}}miriam_slot ^ 1u, {{__}}miriam_ctrl, {{__}}miriam_slice);
// CHECK: __syncthreads();
// CHECK-NEXT: }  // persistent loop
// CHECK-NEXT: if (::miriam::persistent_leader()) ::miriam::persistent_block_exit({{__}}miriam_ctrl, {{__}}miriam_slice);
// CHECK: cudaError_t scale{{__}}miriam_launch_persistent(const ::miriam::PersistentLaunch& {{__}}miriam_launch, float a, float* x, int n) {
// CHECK: ::miriam::persistent_prepare_launch({{__}}miriam_launch);
// A launch that needs no loop and covers the whole grid is the original
// launch: the original kernel runs it.
// CHECK: if ({{__}}miriam_launch.one_block_each() && {{__}}miriam_launch.whole_grid() && {{__}}miriam_launch.shared_bytes == 0) {
// CHECK-NEXT: ::scale<<<{{__}}miriam_launch.grid, {{__}}miriam_launch.block, 0, {{__}}miriam_launch.stream>>>(a, x, n);
// CHECK-NEXT: return cudaGetLastError();
// With a sliced variant in the file, other launches that need no loop go to it:
// CHECK: if ({{__}}miriam_launch.one_block_each() && {{__}}miriam_launch.shared_bytes == 0)
// CHECK-NEXT: return scale{{__}}miriam_launch_sliced({{__}}miriam_launch.slice_launch(), a, x, n);
// CHECK: scale{{__}}miriam_persistent<<<{{__}}miriam_launch.physical_grid(), {{__}}miriam_launch.block,
// CHECK: ({{__}}miriam_launch.control, {{__}}miriam_launch.slice(), a, x, n);
// ALONE: __global__ void scale{{__}}miriam_persistent(
// ALONE: __shared__ ::miriam::PersistentClaims {{__}}miriam_claims;
// ALONE: const auto {{__}}miriam_fresh_a = ::miriam::persistent_fresh(a);
// ALONE: cudaError_t scale{{__}}miriam_launch_persistent(
// ALONE: if ({{__}}miriam_launch.one_block_each() && {{__}}miriam_launch.whole_grid() && {{__}}miriam_launch.shared_bytes == 0) {
// ALONE-NEXT: ::scale<<<
// ALONE-NOT: slice_launch
// ALONE: scale{{__}}miriam_persistent<<<
// ALONE-MANIFEST: "name": "scale"
// ALONE-MANIFEST: "launch_helper": "scale{{__}}miriam_launch_persistent"
// ALONE-MANIFEST-NEXT: "loop": "blocks"
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
// RET-NEXT: {{__}}miriam_next_block:;  // where `return` in the body goes
// RET: persistent_chunk_block(
// RET-NEXT: }  // the chunk's logical blocks
// RET: if (::miriam::persistent_leader())
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
// Shared memory and a barrier: the block loop, a barrier after each logical
// block that also publishes the next one.
// RET: __shared__ ::miriam::PersistentClaims {{__}}miriam_claims;
// RET-NEXT: if (::miriam::persistent_leader()) ::miriam::persistent_first_claim({{__}}miriam_claims, {{__}}miriam_ctrl, {{__}}miriam_slice);
// RET-NEXT: __syncthreads();
// RET-NEXT: for (unsigned int {{__}}miriam_slot = 0;; {{__}}miriam_slot ^= 1u) {
// RET-NEXT: const ::miriam::PersistentClaim {{__}}miriam_claim = {{__}}miriam_claims.slot[{{__}}miriam_slot];
// RET-NEXT: if (!{{__}}miriam_claim.valid) break;
// RET: ::miriam::logical_grid({{__}}miriam_claim.block, {{__}}miriam_slice.grid);
// RET: const uint3 blockIdx = {{__}}miriam_grid.block;
// RET-NEXT: const dim3 gridDim = {{__}}miriam_grid.grid;
// RET-NEXT: // opaque copies
// RET-NEXT: const auto {{__}}miriam_fresh_in = ::miriam::persistent_fresh(in);
// RET: {{^}}  goto {{__}}miriam_next_block;
// RET: }  // end of the original body
// RET-NEXT: {{__}}miriam_next_block:  // where `return` in the body goes
// RET: if (::miriam::persistent_leader())
// RET-NEXT: ::miriam::persistent_next_claim({{__}}miriam_claims, {{__}}miriam_slot ^ 1u, {{__}}miriam_ctrl, {{__}}miriam_slice);
// RET: __syncthreads();
// RET-NEXT: }  // persistent loop
// RET: {{^}}template <int TILE>
// RET-NEXT: cudaError_t tile_reverse{{__}}miriam_launch_persistent(const ::miriam::PersistentLaunch& {{__}}miriam_launch, const float* in, float* out) {
// RET: tile_reverse{{__}}miriam_persistent<TILE><<<

// A body that advances its parameters: each logical block must start from
// the launch's values (a fresh copy per logical block), or the second logical
// block of a physical block would start where the first one left `out`.
// Unread parameters get no copy; const and __restrict__ stay (decltype).
__global__ void advance_params(float* __restrict__ out, const int stride, int n, int unused) {
  out += blockIdx.x * stride;
  n -= blockIdx.x * stride;
  for (int i = threadIdx.x; i < n && i < stride; i += blockDim.x) out[i] = 1.0f;
}

// PARAMS: __global__ void advance_params{{__}}miriam_persistent(
// PARAMS: const auto {{__}}miriam_fresh_out = out;
// PARAMS-NEXT: const auto {{__}}miriam_fresh_stride = stride;
// PARAMS-NEXT: const auto {{__}}miriam_fresh_n = n;
// PARAMS-NOT: {{__}}miriam_fresh_unused
// PARAMS: {  // the original body
// PARAMS-NEXT: // this logical block's own parameters
// PARAMS-NEXT: decltype(out) out = {{__}}miriam_fresh_out;
// PARAMS-NEXT: decltype(stride) stride = {{__}}miriam_fresh_stride;
// PARAMS-NEXT: decltype(n) n = {{__}}miriam_fresh_n;
// PARAMS-NOT: unused =
// PARAMS: out += blockIdx.x * stride;
// PARAMS-NEXT: n -= blockIdx.x * stride;
// PARAMS: }  // persistent loop

// SUMMARY: 4 kernel(s), 4 with elastic variants
// SUMMARY: scale{{ +}}sliced, persistent
// SUMMARY: clip_rows{{ +}}sliced, persistent
// SUMMARY: tile_reverse{{ +}}sliced, persistent
// SUMMARY: advance_params{{ +}}sliced, persistent

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
// MANIFEST-NEXT: "loop": "chunks"
// MANIFEST: "name": "tile_reverse"
// MANIFEST: "kind": "persistent"
// MANIFEST: "loop": "blocks"
