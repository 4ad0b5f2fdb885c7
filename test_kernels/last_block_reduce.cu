// Single-pass sum reduction with the "last block done" pattern (CUDA threadFenceReduction sample).
// Each block writes its partial, fences, bumps a counter; the block that observes
// count == gridDim.x - 1 sums the partials in index order (deterministic result) and resets the
// counter to 0 so the next launch can reuse it.
#include <cuda_runtime.h>

#define BLOCK 256

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void __launch_bounds__(BLOCK)
sum_last_block(const float* __restrict__ in, float* partials, float* result,
               unsigned int* counter, int n)
{
    __shared__ float sdata[BLOCK];
    __shared__ bool am_last;

    float sum = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        sum += in[i];
    sdata[threadIdx.x] = sum;
    __syncthreads();

    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s)
            sdata[threadIdx.x] += sdata[threadIdx.x + s];
        __syncthreads();
    }

    if (threadIdx.x == 0) {
        partials[blockIdx.x] = sdata[0];
        __threadfence();
        const unsigned int ticket = atomicAdd(counter, 1u);
        am_last = (ticket == gridDim.x - 1);
    }
    __syncthreads();

    if (am_last && threadIdx.x == 0) {
        const volatile float* p = partials;
        float total = 0.0f;
        for (unsigned b = 0; b < gridDim.x; ++b)
            total += p[b];
        *result = total;
        *counter = 0;
    }
}

cudaError_t device_sum(const float* in, float* partials, float* result, unsigned int* counter,
                       int n, int blocks, cudaStream_t s)
{
    sum_last_block<<<blocks, BLOCK, 0, s>>>(in, partials, result, counter, n);
    return cudaGetLastError();
}
