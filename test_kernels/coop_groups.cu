// Cooperative groups: block-level use that is sliceable (thread_block sync, thread_rank,
// tiled_partition shuffles) and uses that read blockIdx inside the CUDA headers or need the whole
// grid resident (refused).
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#include <cuda_runtime.h>

namespace cg = cooperative_groups;

// Block sum with cg::sync(cta) and cta.thread_rank(); the block index comes from blockIdx.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: refused: cg thread_block::thread_rank() reads threadIdx inside a CUDA header; cg::sync is a barrier in a header
__global__ void cta_block_sum(const float* __restrict__ in, float* __restrict__ out, int n)
{
    cg::thread_block cta = cg::this_thread_block();
    __shared__ float buf[256];
    const unsigned r = cta.thread_rank();
    const int i = blockIdx.x * 256 + r;
    buf[r] = (i < n) ? in[i] : 0.0f;
    cg::sync(cta);
    for (unsigned s = 128; s > 0; s >>= 1) {
        if (r < s)
            buf[r] += buf[r + s];
        cg::sync(cta);
    }
    if (r == 0)
        out[blockIdx.x] = buf[0];
}

// Warp tiles: tiled_partition<32> + cg::reduce, per-warp results.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: refused: warp tile (tiled_partition, shfl_xor, cg::reduce): warp-level operations
__global__ void tile_warp_max(const float* __restrict__ in, float* __restrict__ warp_max, int n)
{
    cg::thread_block cta = cg::this_thread_block();
    cg::thread_block_tile<32> warp = cg::tiled_partition<32>(cta);
    const int i = blockIdx.x * blockDim.x + cta.thread_rank();
    const float v = (i < n) ? in[i] : -INFINITY;
    const float m = cg::reduce(warp, v, cg::greater<float>());
    if (warp.thread_rank() == 0)
        warp_max[blockIdx.x * (blockDim.x / 32) + warp.meta_group_rank()] = m;
}

// Block index via cta.group_index(): the read of blockIdx is inside cooperative_groups.h.
// miriam-expect: refused(sliced): cg group_index() reads blockIdx inside a CUDA header
// miriam-expect-persistent: refused: cg group_index() reads blockIdx inside a CUDA header
// miriam-expect-shrunk: refused: cg thread_block::thread_index()/group_dim() read threadIdx/blockDim inside a CUDA header
__global__ void cta_group_index_copy(const float* __restrict__ in, float* __restrict__ out, int n)
{
    cg::thread_block cta = cg::this_thread_block();
    const int i = cta.group_index().x * cta.group_dim().x + cta.thread_index().x;
    if (i < n)
        out[i] = 2.0f * in[i];
}

// Global rank via this_grid().block_rank()/thread_rank(): blockIdx read inside the CUDA headers.
// miriam-expect: refused(sliced): cg this_grid().block_rank() reads blockIdx inside a CUDA header
// miriam-expect-persistent: refused: cg this_grid() ranks read blockIdx/gridDim inside a CUDA header
// miriam-expect-shrunk: refused: cg grid_group::thread_rank() reads threadIdx inside a CUDA header
__global__ void grid_rank_fill(int* __restrict__ block_of, int n)
{
    cg::grid_group grid = cg::this_grid();
    const unsigned long long i = grid.thread_rank();
    if (i < (unsigned long long)n)
        block_of[i] = (int)grid.block_rank();
}

// Two-phase normalization with a grid-wide barrier (needs a cooperative launch).
// miriam-expect: refused(sliced): grid-wide sync cg::this_grid().sync()
// miriam-expect-persistent: refused: grid-wide sync cg::this_grid().sync()
// miriam-expect-shrunk: refused: grid-wide sync cg::this_grid().sync() reads threadIdx inside a CUDA header
__global__ void grid_sync_normalize(float* __restrict__ data, float* __restrict__ partials, int n)
{
    cg::grid_group grid = cg::this_grid();
    cg::thread_block cta = cg::this_thread_block();
    __shared__ float buf[256];

    float s = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        s += fabsf(data[i]);
    buf[threadIdx.x] = s;
    cg::sync(cta);
    for (unsigned k = blockDim.x / 2; k > 0; k >>= 1) {
        if (threadIdx.x < k)
            buf[threadIdx.x] += buf[threadIdx.x + k];
        cg::sync(cta);
    }
    if (threadIdx.x == 0)
        partials[blockIdx.x] = buf[0];

    grid.sync();

    float total = 0.0f;
    for (unsigned b = 0; b < gridDim.x; ++b)
        total += partials[b];
    const float inv = total > 0.0f ? 1.0f / total : 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        data[i] *= inv;
}

cudaError_t normalize_l1(float* data, float* partials, int n, int blocks, cudaStream_t s)
{
    void* args[] = {&data, &partials, &n};
    return cudaLaunchCooperativeKernel((const void*)grid_sync_normalize, dim3(blocks), dim3(256), args, 0, s);
}

cudaError_t block_sums(const float* in, float* out, int n, cudaStream_t s)
{
    cta_block_sum<<<(n + 255) / 256, 256, 0, s>>>(in, out, n);
    return cudaGetLastError();
}
