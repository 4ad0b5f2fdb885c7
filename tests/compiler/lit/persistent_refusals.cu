// What the persistent pass refuses, each with a diagnostic at the construct
// and a `refused` manifest entry of kind "persistent"; the sliced variant is
// unaffected where slicing is still correct.
// RUN: rm -rf %t && %miriamc %s -o %t --passes=sliced,persistent > %t.out 2> %t.err
// RUN: FileCheck %s < %t.err
// RUN: FileCheck --check-prefix=SUMMARY %s < %t.out
// RUN: FileCheck --check-prefix=MANIFEST %s < %t/persistent_refusals.miriam.json
// RUN: %validate %t/persistent_refusals.miriam.json
// REQUIRES: nvcc
// RUN: %nvcc -I%support_include %t/persistent_refusals.elastic.cu

#include <cuda_runtime.h>
#include <cooperative_groups.h>

// Threads past the end leave before the barrier: in a loop they would still
// be alive, and the block would wait for them at the barrier.
__global__ void return_before_barrier(const float* in, float* out, int n) {
  __shared__ float s[128];
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  s[threadIdx.x] = in[i];
  __syncthreads();
  out[i] = s[127 - threadIdx.x];
}
// CHECK-DAG: persistent_refusals.cu:20:15: warning: kernel 'return_before_barrier' not persistent: early 'return' in a kernel whose code has barriers: the original relies on exited threads no longer counting

__device__ unsigned sm_id() {
  unsigned id;
  asm volatile("mov.u32 %0, %%smid;" : "=r"(id));
  return id;
}
__global__ void per_sm_counter(unsigned* counts) { atomicAdd(&counts[sm_id()], 1u); }
// CHECK-DAG: persistent_refusals.cu:29:3: warning: kernel 'per_sm_counter' not persistent: inline asm in 'sm_id' reads %smid/%warpid

// Blocks other than 0 wait for a flag block 0 sets.
__global__ void wait_on_flag(volatile int* flag, float* out) {
  if (blockIdx.x == 0) {
    if (threadIdx.x == 0) *flag = 1;
  } else {
    while (*flag == 0) {
    }
    out[blockIdx.x] = 1.0f;
  }
}
// CHECK-DAG: persistent_refusals.cu:40:5: warning: kernel 'wait_on_flag' not persistent: a loop in 'wait_on_flag' spin-waits on a volatile/atomic location that another block writes
// CHECK-DAG: persistent_refusals.cu:40:5: warning: kernel 'wait_on_flag' not sliced: a loop in 'wait_on_flag' spin-waits

// An inter-block barrier built from an atomic counter: the value tested is
// assigned from an atomic in the loop body.
__device__ void arrive_and_wait(unsigned* counter, unsigned expected) {
  unsigned seen;
  do {
    seen = atomicAdd(counter, 0u);
  } while (seen < expected);
}
__global__ void software_grid_barrier(unsigned* counter, float* out) {
  if (threadIdx.x == 0) {
    atomicAdd(counter, 1u);
    arrive_and_wait(counter, gridDim.x);
  }
  __syncthreads();
  out[blockIdx.x * blockDim.x + threadIdx.x] = 2.0f;
}
// CHECK-DAG: persistent_refusals.cu:52:3: warning: kernel 'software_grid_barrier' not persistent: a loop in 'arrive_and_wait' spin-waits

// An endless loop left through an `if` on a volatile read.
__global__ void poll_until_set(volatile unsigned* mailbox, unsigned* out) {
  for (;;) {
    if (*mailbox != 0u) break;
  }
  out[blockIdx.x] = *mailbox;
}
// CHECK-DAG: persistent_refusals.cu:68:3: warning: kernel 'poll_until_set' not persistent: a loop in 'poll_until_set' spin-waits

__global__ void grid_synced(float* x) {
  namespace cg = cooperative_groups;
  x[threadIdx.x] += 1.0f;
  cg::this_grid().sync();
  x[threadIdx.x] *= 2.0f;
}
// CHECK-DAG: persistent_refusals.cu:78:3: warning: kernel 'grid_synced' not persistent: grid-wide synchronization

#define GUARD(i, n) if ((i) >= (n)) return
__global__ void return_in_macro(float* x, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  GUARD(i, n);
  x[i] = 0.0f;
}
// CHECK-DAG: persistent_refusals.cu:86:3: warning: kernel 'return_in_macro' not persistent: a 'return' of 'return_in_macro' is spelled inside a macro

// Loops that only look like waiting are fine: a grid-stride loop with
// atomics in its body, a work queue that claims items with atomicAdd, and a
// volatile __shared__ counter.
__global__ void not_spinning(const int* keys, unsigned* bins, unsigned* queue, int n) {
  __shared__ volatile int rounds;
  if (threadIdx.x == 0) rounds = 0;
  __syncthreads();
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    atomicAdd(&bins[keys[i] & 15], 1u);
  for (unsigned item = atomicAdd(queue, 1u); item < (unsigned)n; item = atomicAdd(queue, 1u))
    bins[16 + (keys[item] & 15)] += 1u;
  while (rounds < 3) {
    __syncthreads();
    if (threadIdx.x == 0) rounds = rounds + 1;
    __syncthreads();
  }
}
// CHECK-NOT: kernel 'not_spinning' not persistent

// SUMMARY: 8 kernel(s), 4 with elastic variants
// SUMMARY: return_before_barrier{{ +}}sliced
// SUMMARY: per_sm_counter{{ +}}sliced
// SUMMARY: return_in_macro{{ +}}sliced
// SUMMARY: not_spinning{{ +}}sliced, persistent

// MANIFEST: "name": "return_before_barrier"
// MANIFEST: "refused": [
// MANIFEST-NEXT: {
// MANIFEST-NEXT: "kind": "persistent",
// MANIFEST-NEXT: "reason": "early 'return' in a kernel whose code has barriers
