// The shrunk variant runs logical blocks [slice.begin, slice.end) of the grid
// (as the sliced variant); each physical thread runs shrink.factor logical threads
// ("slots"). Without barriers the whole body is one loop over the slots and
// `return` means "next slot"; with barriers the body is cut into one loop per
// region, and locals live across a barrier get one copy per slot.
// RUN: rm -rf %t && %miriamc %s -o %t --passes=shrunk > %t.summary
// RUN: FileCheck %s < %t/shrunk_basic.elastic.cu
// RUN: FileCheck --check-prefix=GEMM %s < %t/shrunk_basic.elastic.cu
// RUN: FileCheck --check-prefix=SUMMARY %s < %t.summary
// RUN: FileCheck --check-prefix=MANIFEST %s < %t/shrunk_basic.miriam.json
// RUN: %validate %t/shrunk_basic.miriam.json
// REQUIRES: nvcc
// RUN: %nvcc -I%support_include %t/shrunk_basic.elastic.cu

#include <cuda_runtime.h>

__device__ unsigned global_thread() { return blockIdx.x * blockDim.x + threadIdx.x; }

__global__ void axpy(float a, const float* x, float* y, int n) {
  const unsigned i = global_thread();
  if (i >= n) return;
  y[i] += a * x[i];
}
// The callee gets a clone taking the logical block and thread.
// CHECK: __device__ unsigned global_thread{{__}}miriam_lgt(const ::miriam::LogicalGrid {{__}}miriam_grid, const ::miriam::LogicalThread {{__}}miriam_thread) {
// CHECK: const uint3 blockIdx = {{__}}miriam_grid.block;
// CHECK: const uint3 threadIdx = {{__}}miriam_thread.thread;
// CHECK-NEXT: const dim3 blockDim = {{__}}miriam_thread.block;
// The variant runs a slice of the grid, as the sliced variant does.
// CHECK: __global__ void axpy{{__}}miriam_shrunk(const ::miriam::Slice {{__}}miriam_slice, const ::miriam::Shrink {{__}}miriam_shrink, float a, const float* x, float* y, int n) {
// CHECK: if (!::miriam::slice_block_active({{__}}miriam_slice)) return;
// CHECK-NEXT: const ::miriam::LogicalGrid {{__}}miriam_grid =
// CHECK-NEXT: ::miriam::logical_grid(::miriam::slice_block_index({{__}}miriam_slice), {{__}}miriam_slice.grid);
// CHECK: const uint3 {{__}}miriam_physical_thread = ::miriam::shrunk_physical_thread();
// CHECK-NEXT: const dim3 blockDim = {{__}}miriam_shrink.block;
// CHECK: for (unsigned {{__}}miriam_s = 0; {{__}}miriam_s < {{__}}miriam_shrink.factor; ++{{__}}miriam_s) { const uint3 threadIdx = ::miriam::shrunk_thread_index({{__}}miriam_shrink, {{__}}miriam_physical_thread, {{__}}miriam_s); (void)threadIdx; const ::miriam::LogicalThread {{__}}miriam_thread = ::miriam::logical_thread(threadIdx, blockDim); {
// CHECK-NEXT: const unsigned i = global_thread{{__}}miriam_lgt({{__}}miriam_grid, {{__}}miriam_thread);
// CHECK-NEXT: if (i >= n) goto {{__}}miriam_next_slot_0;
// CHECK-NEXT: y[i] += a * x[i]; } {{__}}miriam_next_slot_0: ; }
// CHECK: cudaError_t axpy{{__}}miriam_launch_shrunk(const ::miriam::ShrunkLaunch& {{__}}miriam_launch, float a, const float* x, float* y, int n) {
// CHECK-NEXT: if (!{{__}}miriam_launch.valid(0)) return cudaErrorInvalidValue;
// CHECK-NEXT: axpy{{__}}miriam_shrunk<<<{{__}}miriam_launch.physical_grid(), {{__}}miriam_launch.physical_block(),
// CHECK-NEXT: {{__}}miriam_launch.shared_bytes, {{__}}miriam_launch.stream>>>({{__}}miriam_launch.slice(), {{__}}miriam_launch.shrink(), a, x, y, n);

// An assigned parameter: each slot starts from the argument.
__global__ void grid_stride(float* y, int n) {
  for (; n > 0; n -= blockDim.x * gridDim.x) {
    const int i = n - 1 - (blockIdx.x * blockDim.x + threadIdx.x);
    if (i >= 0) y[i] *= 2.0f;
  }
}
// CHECK: __global__ void grid_stride{{__}}miriam_shrunk(
// CHECK: const auto {{__}}miriam_param_n = n;
// CHECK: (void)threadIdx; auto n = {{__}}miriam_param_n; {

#define TILE 16
__global__ void __launch_bounds__(256) matmul(const float* A, const float* B, float* C, int M, int N, int K) {
  __shared__ float As[TILE][TILE];
  __shared__ float Bs[TILE][TILE];
  const int row = blockIdx.y * TILE + threadIdx.y;
  const int col = blockIdx.x * TILE + threadIdx.x;
  const int tiles = (K + TILE - 1) / TILE;
  float acc[1] = {0.0f};
  for (int t = 0; t < tiles; ++t) {
    As[threadIdx.y][threadIdx.x] = (row < M && t * TILE + threadIdx.x < K) ? A[row * K + t * TILE + threadIdx.x] : 0.0f;
    Bs[threadIdx.y][threadIdx.x] = (t * TILE + threadIdx.y < K && col < N) ? B[(t * TILE + threadIdx.y) * N + col] : 0.0f;
    __syncthreads();
    for (int k = 0; k < TILE; ++k) acc[0] += As[threadIdx.y][k] * Bs[k][threadIdx.x];
    __syncthreads();
  }
  if (row < M && col < N) C[row * N + col] = acc[0];
}
// Per-slot storage for what lives across the barriers; the uniform trip
// count stays outside the slot loops, where the loop header reads it.
// GEMM: __global__ void __launch_bounds__(256) matmul{{__}}miriam_shrunk(const ::miriam::Slice {{__}}miriam_slice, const ::miriam::Shrink {{__}}miriam_shrink,
// GEMM: const uint3 blockIdx = {{__}}miriam_grid.block;
// GEMM: ::miriam::ShrunkSlots<int> {{__}}miriam_slots0_row;
// GEMM-NEXT: ::miriam::ShrunkSlots<int> {{__}}miriam_slots1_col;
// GEMM-NEXT: ::miriam::ShrunkSlots<float[1]> {{__}}miriam_slots2_acc;
// GEMM: __shared__ float Bs[TILE][TILE]; for (unsigned {{__}}miriam_s = 0;
// GEMM-NEXT: const int {{__}}miriam_row_init = blockIdx.y * TILE + threadIdx.y; ::miriam::shrunk_store({{__}}miriam_slots0_row.slot[{{__}}miriam_s], {{__}}miriam_row_init); const auto& row = {{__}}miriam_slots0_row.slot[{{__}}miriam_s]; (void)row;
// GEMM-NEXT: const int {{__}}miriam_col_init
// GEMM-NEXT: const int tiles = (K + TILE - 1) / TILE; for (unsigned {{__}}miriam_s = 0;
// GEMM-NEXT: float {{__}}miriam_acc_init[1] = {0.0f}; ::miriam::shrunk_store({{__}}miriam_slots2_acc.slot[{{__}}miriam_s], {{__}}miriam_acc_init); auto& acc = {{__}}miriam_slots2_acc.slot[{{__}}miriam_s]; (void)acc; } }
// GEMM-NEXT: for (int t = 0; t < tiles; ++t) { for (unsigned {{__}}miriam_s = 0; {{__}}miriam_s < {{__}}miriam_shrink.factor; ++{{__}}miriam_s) { {{.*}} const auto& row = {{__}}miriam_slots0_row.slot[{{__}}miriam_s]; const auto& col = {{__}}miriam_slots1_col.slot[{{__}}miriam_s]; {
// GEMM: __syncthreads(); for (unsigned {{__}}miriam_s = 0; {{.*}} auto& acc = {{__}}miriam_slots2_acc.slot[{{__}}miriam_s]; {
// GEMM-NEXT: for (int k = 0; k < TILE; ++k) acc[0] += As[threadIdx.y][k] * Bs[k][threadIdx.x]; } }
// GEMM-NEXT: __syncthreads();
// GEMM-NEXT: } for (unsigned {{__}}miriam_s = 0;
// GEMM: if (!{{__}}miriam_launch.valid(::miriam::kMaxShrinkFactor)) return cudaErrorInvalidValue;

// SUMMARY: axpy shrunk
// SUMMARY: grid_stride shrunk
// SUMMARY: matmul shrunk

// MANIFEST: "kind": "shrunk",
// MANIFEST-NEXT: "entry": "axpy{{__}}miriam_shrunk",
// MANIFEST: "extra_params": [
// MANIFEST-NEXT: {
// MANIFEST-NEXT: "name": "{{__}}miriam_slice",
// MANIFEST-NEXT: "type": "miriam::Slice",
// MANIFEST-NEXT: "position": 0
// MANIFEST-NEXT: },
// MANIFEST-NEXT: {
// MANIFEST-NEXT: "name": "{{__}}miriam_shrink",
// MANIFEST-NEXT: "type": "miriam::Shrink",
// MANIFEST-NEXT: "position": 1
// MANIFEST: "launch_helper": "axpy{{__}}miriam_launch_shrunk",
// MANIFEST-NEXT: "shrink": {
// MANIFEST-NEXT: "dimension": "outermost",
// MANIFEST-NEXT: "max_factor": 0,
// MANIFEST-NEXT: "barrier_regions": 1,
// MANIFEST-NEXT: "barriers": 0,
// MANIFEST-NEXT: "per_thread_values": 0,
// MANIFEST-NEXT: "combines_with": [
// MANIFEST-NEXT: "sliced"
// MANIFEST-NEXT: ]
// MANIFEST: "entry": "matmul{{__}}miriam_shrunk",
// MANIFEST: "max_factor": 8,
// MANIFEST-NEXT: "barrier_regions": 5,
// MANIFEST-NEXT: "barriers": 2,
// MANIFEST-NEXT: "per_thread_values": 3,
