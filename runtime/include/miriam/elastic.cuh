// Device-side support for the elastic variants that miriamc emits.
//
// Every .elastic.cu file includes this header. It defines the extra kernel
// parameters the variants take and the index arithmetic that maps a physical
// block of a variant launch to the logical block of the original grid.
#pragma once

#include <cuda_runtime.h>

#include "miriam/registry.h"

namespace miriam {

// The logical blocks [begin, end) of a logical grid, in row-major linear
// order (x fastest). A sliced variant takes it as its first parameter.
struct Slice {
  unsigned long long begin;
  unsigned long long end;
  dim3 grid;  // the original launch's grid: what gridDim reads inside the variant
};

// What a cloned __device__ function needs to answer blockIdx/gridDim with
// logical values: passed as its first parameter from the variant's body.
struct LogicalGrid {
  uint3 block;
  dim3 grid;
};

__host__ __device__ inline unsigned long long logical_block_count(dim3 grid) {
  return static_cast<unsigned long long>(grid.x) * grid.y * grid.z;
}

__host__ __device__ inline uint3 logical_block_index(unsigned long long linear, dim3 grid) {
  // Fast paths first: the branch is uniform across the grid, and most grids
  // are 1D or hold fewer than 2^32 blocks (64-bit division is a long routine).
  if (grid.y == 1 && grid.z == 1) return make_uint3(static_cast<unsigned>(linear), 0, 0);
  if (linear <= 0xFFFFFFFFull) {
    const unsigned l = static_cast<unsigned>(linear);
    const unsigned row = l / grid.x;
    return make_uint3(l - row * grid.x, row % grid.y, row / grid.y);
  }
  const unsigned long long row = linear / grid.x;
  return make_uint3(static_cast<unsigned>(linear - row * grid.x), static_cast<unsigned>(row % grid.y),
                    static_cast<unsigned>(row / grid.y));
}

#if defined(__CUDACC__)
// Physical launches of variants are 1D in x, with y used only when a slice
// holds more blocks than gridDim.x allows.
__device__ inline unsigned long long physical_block_linear() {
  if (gridDim.y == 1) return blockIdx.x;
  return static_cast<unsigned long long>(blockIdx.y) * gridDim.x + blockIdx.x;
}

__device__ inline bool slice_block_active(const Slice& slice) {
  return slice.begin + physical_block_linear() < slice.end;
}

__device__ inline uint3 slice_block_index(const Slice& slice) {
  return logical_block_index(slice.begin + physical_block_linear(), slice.grid);
}

__device__ inline LogicalGrid logical_grid(uint3 block, dim3 grid) { return LogicalGrid{block, grid}; }
#endif  // __CUDACC__

// The physical grid that runs `blocks` logical blocks, one physical block each.
__host__ inline dim3 physical_grid_for(unsigned long long blocks) {
  constexpr unsigned long long kMaxX = 2147483647ull;
  if (blocks <= kMaxX) return dim3(static_cast<unsigned>(blocks), 1, 1);
  return dim3(static_cast<unsigned>(kMaxX), static_cast<unsigned>((blocks + kMaxX - 1) / kMaxX), 1);
}

// Everything a host helper needs to launch one slice of a kernel.
struct SliceLaunch {
  dim3 grid;                 // the original (logical) grid
  dim3 block;                // unchanged block shape
  size_t shared_bytes = 0;   // dynamic shared memory, as for the original launch
  cudaStream_t stream = nullptr;
  unsigned long long begin = 0;
  unsigned long long end = 0;  // exclusive; must be <= logical_block_count(grid)

  Slice slice() const { return Slice{begin, end, grid}; }
  dim3 physical_grid() const { return physical_grid_for(end - begin); }
  bool valid() const { return begin < end && end <= logical_block_count(grid); }
};

}  // namespace miriam
