// Whole-struct uses of the builtins: `dim3 b = blockIdx;`, `dim3 g = gridDim;`, builtins passed
// by value to helpers. None of these has a .x/.y/.z member access on the builtin.
#include <cuda_runtime.h>

__device__ __forceinline__ unsigned int linearize(uint3 idx, dim3 dims)
{
    return idx.x + dims.x * (idx.y + dims.y * idx.z);
}

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void block_id_map(int* __restrict__ block_ids, int* __restrict__ grid_sizes)
{
    dim3 b = blockIdx;
    dim3 g = gridDim;
    const unsigned int id = b.x + g.x * (b.y + g.y * b.z);
    if (threadIdx.x == 0) {
        block_ids[id] = (int)(b.x * 10000 + b.y * 100 + b.z);
        grid_sizes[id] = (int)(g.x * g.y * g.z);
    }
}

// Builtins copied into uint3/dim3 locals and passed by value to a helper.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void scale_by_block(const float* __restrict__ in, float* __restrict__ out, int per_block)
{
    const uint3 blk = blockIdx;
    const dim3 grid = gridDim;  // note: `auto grid = gridDim;` is accepted by nvcc but rejected by clang (deleted copy ctor)
    const unsigned int block = linearize(blk, grid);
    const unsigned int nblocks = grid.x * grid.y * grid.z;
    const float factor = 1.0f + (float)block / (float)nblocks;
    for (int k = threadIdx.x; k < per_block; k += blockDim.x) {
        const unsigned int i = block * per_block + k;
        out[i] = in[i] * factor;
    }
}

// Same helper fed directly with the builtins (implicit conversion to the by-value parameters).
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void block_checksum(const int* __restrict__ in, int* __restrict__ out, int per_block)
{
    __shared__ int acc;
    if (threadIdx.x == 0) acc = 0;
    __syncthreads();
    const unsigned int block = linearize(blockIdx, gridDim);
    int local = 0;
    for (int k = threadIdx.x; k < per_block; k += blockDim.x)
        local += in[block * per_block + k] * (k + 1);
    atomicAdd(&acc, local);
    __syncthreads();
    if (threadIdx.x == 0)
        out[block] = acc;
}

cudaError_t scale_blocks(const float* in, float* out, int per_block, dim3 grid, cudaStream_t s)
{
    scale_by_block<<<grid, 128, 0, s>>>(in, out, per_block);
    return cudaGetLastError();
}
