// 256-bin histograms of 8-bit data.
// Features: int atomicAdd into global bins, shared-memory privatized bins with barriers,
// grid-stride loops, uint8 input, float atomicAdd (result depends on block order).
#include <cuda_runtime.h>
#include <stdint.h>

#define NUM_BINS 256

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void histogram_global(const uint8_t* __restrict__ data, int* __restrict__ bins, int n)
{
    const int stride = blockDim.x * gridDim.x;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        atomicAdd(&bins[data[i]], 1);
}

// Per-block privatized histogram in shared memory, merged into the global bins at the end.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void __launch_bounds__(256)
histogram_shared(const uint8_t* __restrict__ data, unsigned int* __restrict__ bins, int n)
{
    __shared__ unsigned int local[NUM_BINS];
    for (int b = threadIdx.x; b < NUM_BINS; b += blockDim.x)
        local[b] = 0;
    __syncthreads();

    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        atomicAdd(&local[data[i]], 1u);
    __syncthreads();

    for (int b = threadIdx.x; b < NUM_BINS; b += blockDim.x) {
        const unsigned int c = local[b];
        if (c != 0)
            atomicAdd(&bins[b], c);
    }
}

// Weighted histogram: float atomics, so the low bits depend on the order blocks run in.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void histogram_weighted(const uint8_t* __restrict__ keys, const float* __restrict__ weights,
                                   float* __restrict__ bins, int n)
{
    __shared__ float local[NUM_BINS];
    for (int b = threadIdx.x; b < NUM_BINS; b += blockDim.x)
        local[b] = 0.0f;
    __syncthreads();

    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        atomicAdd(&local[keys[i]], weights[i]);
    __syncthreads();

    for (int b = threadIdx.x; b < NUM_BINS; b += blockDim.x)
        atomicAdd(&bins[b], local[b]);
}

cudaError_t histogram(const uint8_t* data, unsigned int* bins, int n, int num_sms, cudaStream_t s)
{
    cudaMemsetAsync(bins, 0, NUM_BINS * sizeof(unsigned int), s);
    histogram_shared<<<num_sms * 4, 256, 0, s>>>(data, bins, n);
    return cudaGetLastError();
}

cudaError_t histogram_simple(const uint8_t* data, int* bins, int n, cudaStream_t s)
{
    histogram_global<<<64, 256, 0, s>>>(data, bins, n);
    return cudaGetLastError();
}

cudaError_t weighted_histogram(const uint8_t* keys, const float* w, float* bins, int n, cudaStream_t s)
{
    histogram_weighted<<<(n + 255) / 256, 256, 0, s>>>(keys, w, bins, n);
    return cudaGetLastError();
}
