// Block reductions producing one partial sum per block.
// Features: warp-shuffle reduction (__shfl_down_sync), grid-stride loop over blockDim.x*gridDim.x,
// __launch_bounds__(128, 4), dynamic shared memory (extern __shared__) tree reduction.
#include <cuda_runtime.h>

__device__ __forceinline__ float warp_reduce_sum(float v)
{
#pragma unroll
    for (int offset = warpSize / 2; offset > 0; offset >>= 1)
        v += __shfl_down_sync(0xffffffffu, v, offset);
    return v;
}

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: refused: __shfl_down_sync (warp-level)
__global__ void __launch_bounds__(128, 4)
block_sum_shfl(const float* __restrict__ in, float* __restrict__ partials, int n)
{
    __shared__ float warp_sums[32];
    float sum = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        sum += in[i];

    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    sum = warp_reduce_sum(sum);
    if (lane == 0)
        warp_sums[warp] = sum;
    __syncthreads();

    if (warp == 0) {
        const int nwarps = (blockDim.x + 31) >> 5;
        sum = (lane < nwarps) ? warp_sums[lane] : 0.0f;
        sum = warp_reduce_sum(sum);
        if (lane == 0)
            partials[blockIdx.x] = sum;
    }
}

// Classic shared-memory tree reduction; blockDim.x must be a power of two and the launch must
// pass blockDim.x * sizeof(float) bytes of dynamic shared memory.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: refused: __shfl_down_sync (warp-level)
__global__ void reduce_dynsmem(const float* __restrict__ in, float* __restrict__ partials, int n)
{
    extern __shared__ float smem[];
    const unsigned tid = threadIdx.x;
    const unsigned i = blockIdx.x * (blockDim.x * 2) + threadIdx.x;

    float v = 0.0f;
    if (i < n) v = in[i];
    if (i + blockDim.x < n) v += in[i + blockDim.x];
    smem[tid] = v;
    __syncthreads();

    for (unsigned s = blockDim.x / 2; s > 32; s >>= 1) {
        if (tid < s)
            smem[tid] += smem[tid + s];
        __syncthreads();
    }
    if (tid < 32) {
        v = smem[tid] + smem[tid + 32];
        v = warp_reduce_sum(v);
        if (tid == 0)
            partials[blockIdx.x] = v;
    }
}

cudaError_t launch_block_sum(const float* in, float* partials, int n, int blocks, cudaStream_t s)
{
    block_sum_shfl<<<blocks, 128, 0, s>>>(in, partials, n);
    return cudaGetLastError();
}

cudaError_t launch_reduce_dynsmem(const float* in, float* partials, int n, cudaStream_t s)
{
    const int threads = 256;
    const int blocks = (n + threads * 2 - 1) / (threads * 2);
    reduce_dynsmem<<<blocks, threads, threads * sizeof(float), s>>>(in, partials, n);
    return cudaGetLastError();
}
