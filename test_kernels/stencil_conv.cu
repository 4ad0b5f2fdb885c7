// Shared-memory halo kernels: a 1D stencil (radius 3) and a 3x3 depthwise convolution (NCHW,
// one channel per blockIdx.z, 16x16 output tile with a 1-pixel halo).
#include <cuda_runtime.h>

#define RADIUS 3
#define BLOCK_1D 256

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void stencil1d(const float* __restrict__ in, float* __restrict__ out, const float* __restrict__ w, int n)
{
    __shared__ float tile[BLOCK_1D + 2 * RADIUS];
    const int g = blockIdx.x * blockDim.x + threadIdx.x;
    const int l = threadIdx.x + RADIUS;

    tile[l] = (g < n) ? in[g] : 0.0f;
    if (threadIdx.x < RADIUS) {
        const int left = g - RADIUS;
        const int right = g + BLOCK_1D;
        tile[l - RADIUS] = (left >= 0 && left < n) ? in[left] : 0.0f;
        tile[l + BLOCK_1D] = (right < n) ? in[right] : 0.0f;
    }
    __syncthreads();

    if (g < n) {
        float acc = 0.0f;
#pragma unroll
        for (int k = -RADIUS; k <= RADIUS; ++k)
            acc += w[k + RADIUS] * tile[l + k];
        out[g] = acc;
    }
}

#define TW 16

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void __launch_bounds__(TW * TW)
depthwise_conv3x3(const float* __restrict__ in, const float* __restrict__ weights, const float* __restrict__ bias,
                  float* __restrict__ out, int channels, int height, int width)
{
    __shared__ float tile[TW + 2][TW + 2];
    __shared__ float k[9];

    const int c = blockIdx.z;
    const int ox = blockIdx.x * TW + threadIdx.x;
    const int oy = blockIdx.y * TW + threadIdx.y;
    const float* plane = in + (size_t)c * height * width;

    const int tid = threadIdx.y * TW + threadIdx.x;
    if (tid < 9)
        k[tid] = weights[c * 9 + tid];

    // Cooperative load of the (TW+2)^2 haloed tile, zero padding outside the image.
    for (int idx = tid; idx < (TW + 2) * (TW + 2); idx += TW * TW) {
        const int ty = idx / (TW + 2), tx = idx % (TW + 2);
        const int iy = blockIdx.y * TW + ty - 1, ix = blockIdx.x * TW + tx - 1;
        tile[ty][tx] = (iy >= 0 && iy < height && ix >= 0 && ix < width) ? plane[iy * width + ix] : 0.0f;
    }
    __syncthreads();

    if (ox < width && oy < height) {
        float acc = bias[c];
#pragma unroll
        for (int dy = 0; dy < 3; ++dy)
#pragma unroll
            for (int dx = 0; dx < 3; ++dx)
                acc += k[dy * 3 + dx] * tile[threadIdx.y + dy][threadIdx.x + dx];
        out[((size_t)c * height + oy) * width + ox] = acc;
    }
}

cudaError_t depthwise3x3(const float* in, const float* w, const float* b, float* out, int C, int H, int W,
                         cudaStream_t s)
{
    dim3 block(TW, TW);
    dim3 grid((W + TW - 1) / TW, (H + TW - 1) / TW, C);
    depthwise_conv3x3<<<grid, block, 0, s>>>(in, w, b, out, C, H, W);
    return cudaGetLastError();
}
