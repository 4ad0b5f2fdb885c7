// Row softmax: one block per row, numerically stable (max, then sum of exp), block reductions
// through shared memory.
#include <cuda_runtime.h>
#include <float.h>

#define SM_THREADS 256

__device__ float block_reduce_max(float v, float* red)
{
    red[threadIdx.x] = v;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s)
            red[threadIdx.x] = fmaxf(red[threadIdx.x], red[threadIdx.x + s]);
        __syncthreads();
    }
    const float r = red[0];
    __syncthreads();
    return r;
}

__device__ float block_reduce_sum(float v, float* red)
{
    red[threadIdx.x] = v;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s)
            red[threadIdx.x] += red[threadIdx.x + s];
        __syncthreads();
    }
    const float r = red[0];
    __syncthreads();
    return r;
}

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: refused: barriers inside device functions block_reduce_max/block_reduce_sum
__global__ void __launch_bounds__(SM_THREADS)
softmax_rows(const float* __restrict__ x, float* __restrict__ y, int cols)
{
    __shared__ float red[SM_THREADS];
    const int row = blockIdx.x;
    const float* xr = x + (size_t)row * cols;
    float* yr = y + (size_t)row * cols;

    float m = -FLT_MAX;
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        m = fmaxf(m, xr[c]);
    m = block_reduce_max(m, red);

    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        s += __expf(xr[c] - m);
    s = block_reduce_sum(s, red);

    const float inv = 1.0f / s;
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        yr[c] = __expf(xr[c] - m) * inv;
}

cudaError_t softmax(const float* x, float* y, int rows, int cols, cudaStream_t s)
{
    softmax_rows<<<rows, SM_THREADS, 0, s>>>(x, y, cols);
    return cudaGetLastError();
}
