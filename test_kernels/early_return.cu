// Early returns: before any code, in 2D, and before a barrier (threads past n exit, the rest of
// the partial tail block still meets at __syncthreads; legal on sm_70+ because exited threads
// are not counted by the barrier).
#include <cuda_runtime.h>

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void bias_add(float* __restrict__ y, const float* __restrict__ bias, int n, int channels)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n)
        return;
    y[i] += bias[i % channels];
}

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void add_rows_2d(const float* __restrict__ m, const float* __restrict__ row_vec,
                            float* __restrict__ out, int rows, int cols)
{
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    const int r = blockIdx.y * blockDim.y + threadIdx.y;
    if (r >= rows || c >= cols)
        return;
    out[r * cols + c] = m[r * cols + c] + row_vec[c];
}

// 3-point smoothing inside each block's chunk: out[i] = (x[i-1] + x[i] + x[i+1]) / 3, with the
// neighbours clamped to the block's chunk and to [0, n). Threads with i >= n return BEFORE the
// barrier; surviving threads only read shared slots written by surviving threads.
// miriam-expect: sliced
// miriam-expect-persistent: refused: early return before __syncthreads
// miriam-expect-shrunk: refused: early return before __syncthreads
__global__ void __launch_bounds__(256)
smooth3_block(const float* __restrict__ x, float* __restrict__ out, int n)
{
    __shared__ float s[256];
    const int t = threadIdx.x;
    const int i = blockIdx.x * blockDim.x + t;
    if (i >= n)
        return;
    s[t] = x[i];
    __syncthreads();

    const int last = min((int)blockDim.x, n - (int)(blockIdx.x * blockDim.x)) - 1;
    const float left = s[t > 0 ? t - 1 : t];
    const float right = s[t < last ? t + 1 : t];
    out[i] = (left + s[t] + right) * (1.0f / 3.0f);
}

cudaError_t smooth(const float* x, float* out, int n, cudaStream_t s)
{
    smooth3_block<<<(n + 255) / 256, 256, 0, s>>>(x, out, n);
    return cudaGetLastError();
}
