// Block-level cooperative groups (sync, thread_rank) are fine; calls that read
// blockIdx/gridDim inside CUDA's headers, and grid-wide sync, are refused.
// RUN: rm -rf %t && %miriamc %s -o %t --passes=sliced,persistent > %t.out 2> %t.err
// RUN: FileCheck %s < %t.err
// RUN: FileCheck --check-prefix=MANIFEST %s < %t/cooperative_groups.miriam.json
// RUN: %validate %t/cooperative_groups.miriam.json

#include <cooperative_groups.h>
namespace cg = cooperative_groups;

__global__ void block_sum(const float* in, float* out) {
  __shared__ float partial[256];
  cg::thread_block cta = cg::this_thread_block();
  partial[cta.thread_rank()] = in[blockIdx.x * 256 + cta.thread_rank()];
  cg::sync(cta);
  if (cta.thread_rank() == 0) out[blockIdx.x] = partial[0] + partial[255];
}

__global__ void uses_group_index(int* out) {
  cg::thread_block cta = cg::this_thread_block();
  out[cta.group_index().x] = 1;
}

__global__ void grid_sync(float* data) {
  cg::grid_group grid = cg::this_grid();
  data[grid.thread_rank()] += 1.0f;
  grid.sync();
  data[grid.thread_rank()] *= 2.0f;
}

// CHECK-NOT: 'block_sum' not sliced
// CHECK: cooperative_groups.cu:21:11: warning: kernel 'uses_group_index' not sliced: cooperative groups call 'cooperative_groups::__v1::thread_block::group_index' reads blockIdx inside CUDA's headers, which miriamc does not rewrite [miriam-refused]
// CHECK: warning: kernel 'grid_sync' not sliced: grid-wide synchronization (this_grid().sync()) needs every block of the grid resident at once; it cannot be split across launches [miriam-refused]
// CHECK: note: the original 'grid_sync' stays in use; declared here

// MANIFEST: "name": "block_sum"
// MANIFEST: "barriers": true
// MANIFEST: "cooperative_groups": true
// MANIFEST: "kind": "sliced"
// MANIFEST: "name": "uses_group_index"
// MANIFEST: "variants": []
// MANIFEST: "refused": [
// MANIFEST: "reason": "cooperative groups call
// MANIFEST: "name": "grid_sync"
// MANIFEST: "grid_sync": true
// MANIFEST: "reason": "grid-wide synchronization
