// Inline PTX: reading %ctaid/%nctaid directly bypasses blockIdx/gridDim (refused), while
// reading %laneid has nothing to do with the grid (sliceable).
#include <cuda_runtime.h>

__device__ __forceinline__ unsigned int ptx_ctaid_x()
{
    unsigned int r;
    asm volatile("mov.u32 %0, %%ctaid.x;" : "=r"(r));
    return r;
}

__device__ __forceinline__ unsigned int ptx_laneid()
{
    unsigned int r;
    asm("mov.u32 %0, %%laneid;" : "=r"(r));
    return r;
}

// miriam-expect: refused(sliced): inline asm reads %ctaid
// miriam-expect-persistent: refused: inline asm reads %ctaid
// miriam-expect-shrunk: refused: inline asm reads %ctaid (the shrunk variant runs slices)
__global__ void asm_ctaid_copy(const float* __restrict__ in, float* __restrict__ out, int n)
{
    const unsigned int i = ptx_ctaid_x() * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = in[i] + 1.0f;
}

// miriam-expect: refused(sliced): inline asm reads %nctaid
// miriam-expect-persistent: refused: inline asm reads %nctaid
// miriam-expect-shrunk: refused: inline asm reads %nctaid (the shrunk variant runs slices)
__global__ void asm_nctaid_stride(const float* __restrict__ in, float* __restrict__ out, int n)
{
    unsigned int nblocks;
    asm("mov.u32 %0, %%nctaid.x;" : "=r"(nblocks));
    for (unsigned int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += nblocks * blockDim.x)
        out[i] = -in[i];
}

// Writes each thread's lane id (via PTX) next to a warp-level sum.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: refused: inline asm reads %laneid; __shfl_xor_sync
__global__ void asm_laneid_tag(const int* __restrict__ in, int* __restrict__ lane_out, int* __restrict__ warp_sum, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    const unsigned int lane = ptx_laneid();
    int v = (i < n) ? in[i] : 0;
    for (int off = 16; off > 0; off >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, off);
    if (i < n)
        lane_out[i] = (int)lane;
    if (lane == 0)
        warp_sum[i / 32] = v;
}
