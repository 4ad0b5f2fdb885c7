// __device__ helpers that read the builtins, directly and transitively; a __host__ __device__
// helper that reads none; a lambda in a kernel that captures by reference and reads blockIdx.
#include <cuda_runtime.h>

// Reads blockIdx/blockDim/threadIdx directly.
__device__ __forceinline__ int global_row()
{
    return blockIdx.y * blockDim.y + threadIdx.y;
}

__device__ __forceinline__ int global_col()
{
    return blockIdx.x * blockDim.x + threadIdx.x;
}

// kernel -> tile_origin -> block_linear_id (reads blockIdx and gridDim).
__device__ unsigned int block_linear_id()
{
    return blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
}

__device__ unsigned int tile_origin(unsigned int tile_elems)
{
    return block_linear_id() * tile_elems;
}

// Pure arithmetic, usable on both sides; reads no builtins.
__host__ __device__ inline float lerp(float a, float b, float t)
{
    return a + t * (b - a);
}

// 2D element-wise blend via helpers.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void blend2d(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ out,
                        float t, int rows, int cols)
{
    const int r = global_row();
    const int c = global_col();
    if (r < rows && c < cols)
        out[r * cols + c] = lerp(a[r * cols + c], b[r * cols + c], t);
}

// Each block owns a contiguous tile whose origin comes from a two-level helper chain.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void tile_iota(unsigned int* __restrict__ out, unsigned int tile_elems)
{
    const unsigned int base = tile_origin(tile_elems);
    for (unsigned int k = threadIdx.x; k < tile_elems; k += blockDim.x)
        out[base + k] = base + k * 3u + block_linear_id();
}

// Host/device helper called from a kernel that reads no builtin itself except through indices.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void lerp_kernel(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ out,
                            const float* __restrict__ t, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = lerp(a[i], b[i], t[i]);
}

// A lambda defined inside the kernel reads blockIdx through a by-reference capture.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void lambda_offsets(const int* __restrict__ in, int* __restrict__ out, int n)
{
    int tid = threadIdx.x;
    auto index_of = [&](int k) { return (int)(blockIdx.x * blockDim.x * 2) + k * (int)blockDim.x + tid; };
    auto load = [&](int k) { const int i = index_of(k); return i < n ? in[i] : 0; };
    const int lo = load(0);
    const int hi = load(1);
    if (index_of(0) < n) out[index_of(0)] = lo + (int)blockIdx.x;
    if (index_of(1) < n) out[index_of(1)] = hi - lo;
}

float lerp_host(float a, float b, float t) { return lerp(a, b, t); }

cudaError_t blend(const float* a, const float* b, float* out, float t, int rows, int cols, cudaStream_t s)
{
    dim3 block(32, 8);
    dim3 grid((cols + block.x - 1) / block.x, (rows + block.y - 1) / block.y);
    blend2d<<<grid, block, 0, s>>>(a, b, out, t, rows, cols);
    return cudaGetLastError();
}

cudaError_t fill_tiles(unsigned int* out, unsigned int tile_elems, dim3 grid, cudaStream_t s)
{
    tile_iota<<<grid, 128, 0, s>>>(out, tile_elems);
    return cudaGetLastError();
}
