// What the shrink pass refuses, each with a diagnostic at the construct and a
// `refused` manifest entry of kind "shrunk".
// RUN: rm -rf %t && %miriamc %s -o %t --passes=shrunk > %t.out 2> %t.err
// RUN: FileCheck %s < %t.err
// RUN: FileCheck --check-prefix=MANIFEST %s < %t/shrunk_refusals.miriam.json
// RUN: %validate %t/shrunk_refusals.miriam.json
// REQUIRES: nvcc
// RUN: %nvcc -I%support_include %t/shrunk_refusals.elastic.cu

#include <cuda_runtime.h>

__global__ void warp_sum(const float* in, float* out) {
  float v = in[threadIdx.x];
  v += __shfl_down_sync(0xffffffffu, v, 16);
  out[threadIdx.x] = v;
}
// CHECK-DAG: shrunk_refusals.cu:14:8: warning: kernel 'warp_sum' not shrunk: warp-level operation in 'warp_sum'

__global__ void barrier_under_if(float* data, int n) {
  __shared__ float s[256];
  s[threadIdx.x] = data[threadIdx.x];
  if (n > 4) {
    __syncthreads();
  }
  data[threadIdx.x] = s[255 - threadIdx.x];
}
// CHECK-DAG: shrunk_refusals.cu:23:5: warning: kernel 'barrier_under_if' not shrunk: a barrier under control flow miriamc cannot prove uniform

__global__ void varying_trip_count(float* data) {
  __shared__ float s[256];
  for (int i = 0; i < (int)threadIdx.x; ++i) {
    s[threadIdx.x] = data[i];
    __syncthreads();
  }
}
// CHECK-DAG: shrunk_refusals.cu:31:19: warning: kernel 'varying_trip_count' not shrunk: a 'for' loop holding a barrier has a condition that may differ between threads

__global__ void return_before_barrier(const float* in, float* out, int n) {
  __shared__ float s[128];
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  s[threadIdx.x] = in[i];
  __syncthreads();
  out[i] = s[127 - threadIdx.x];
}
// CHECK-DAG: shrunk_refusals.cu:41:15: warning: kernel 'return_before_barrier' not shrunk: 'return' outside the last barrier region of the body

__global__ void break_across_barrier(float* data, int n) {
  __shared__ float s[64];
  for (int k = 0; k < n; ++k) {
    if (data[k] < 0.0f) break;
    s[threadIdx.x] = data[k];
    __syncthreads();
  }
}
// CHECK-DAG: shrunk_refusals.cu:51:25: warning: kernel 'break_across_barrier' not shrunk: 'break' leaves a loop that holds a barrier

__device__ void stage(float* s, const float* in) {
  s[threadIdx.x] = in[threadIdx.x];
  __syncthreads();
}
__global__ void barrier_in_callee(const float* in, float* out) {
  __shared__ float s[64];
  stage(s, in);
  out[threadIdx.x] = s[63 - threadIdx.x];
}
// CHECK-DAG: shrunk_refusals.cu:58:17: warning: kernel 'barrier_in_callee' not shrunk: 'stage' holds a barrier

__global__ void address_across_barrier(float* out) {
  __shared__ float s[64];
  float mine = out[threadIdx.x];
  float* p = &mine;
  s[threadIdx.x] = 1.0f;
  __syncthreads();
  out[threadIdx.x] = *p + s[63 - threadIdx.x];
}
// CHECK-DAG: shrunk_refusals.cu:72:15: warning: kernel 'address_across_barrier' not shrunk: the address of local 'mine' is taken before a barrier

__global__ void assigned_parameter(float* out, int n) {
  __shared__ float s[64];
  n += threadIdx.x;
  s[threadIdx.x] = n;
  __syncthreads();
  out[threadIdx.x] = s[63 - threadIdx.x] + n;
}
// CHECK-DAG: shrunk_refusals.cu:79:52: warning: kernel 'assigned_parameter' not shrunk: parameter 'n' is assigned

__global__ void lane_id(unsigned* out) {
  unsigned lane;
  asm("mov.u32 %0, %%laneid;" : "=r"(lane));
  out[threadIdx.x] = lane;
}
// CHECK-DAG: shrunk_refusals.cu:90:3: warning: kernel 'lane_id' not shrunk: inline asm in 'lane_id' reads a thread special register

__global__ void legacy_warp_reduce(float* data) {
  __shared__ float s[64];
  s[threadIdx.x] = data[threadIdx.x];
  __syncthreads();
  if (threadIdx.x < 32) {
    volatile float* v = s;
    v[threadIdx.x] += v[threadIdx.x + 32];
    v[threadIdx.x] += v[threadIdx.x + 16];
  }
  data[threadIdx.x] = s[threadIdx.x];
}
// CHECK-DAG: shrunk_refusals.cu:100:21: warning: kernel 'legacy_warp_reduce' not shrunk: volatile access to shared memory

// MANIFEST: "name": "warp_sum",
// MANIFEST: "refused": [
// MANIFEST-NEXT: {
// MANIFEST-NEXT: "kind": "shrunk",
// MANIFEST-NEXT: "reason": "warp-level operation in 'warp_sum'

// A return in the last barrier region, followed by a declaration kept outside
// the slot loops: the code after it is another region the thread must skip.
__global__ void return_then_uniform(const float* in, float* out, int n) {
  __shared__ float s[64];
  s[threadIdx.x] = in[threadIdx.x];
  __syncthreads();
  if (s[threadIdx.x] < 0.0f) return;
  const int twice = 2 * n;
  out[threadIdx.x] = s[63 - threadIdx.x] * twice;
}
// CHECK-DAG: shrunk_refusals.cu:120:30: warning: kernel 'return_then_uniform' not shrunk: 'return' outside the last barrier region of the body

// The shrunk variant runs slices of the grid: what refuses slicing (here the
// physical block index read in asm) refuses it too.
__global__ void asm_block_index(float* out) {
  unsigned block;
  asm("mov.u32 %0, %%ctaid.x;" : "=r"(block));
  out[block * blockDim.x + threadIdx.x] = 1.0f;
}
// CHECK-DAG: shrunk_refusals.cu:130:3: warning: kernel 'asm_block_index' not shrunk: inline asm in 'asm_block_index' reads a grid special register
