// Single-block inclusive prefix sum over an array of any length (chunks of blockDim.x with a
// running carry). Reads no blockIdx/gridDim at all; always launched with a grid of 1 block.
#include <cuda_runtime.h>

#define SCAN_THREADS 512

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void __launch_bounds__(SCAN_THREADS)
inclusive_scan_single_block(const int* __restrict__ in, int* __restrict__ out, int n)
{
    __shared__ int buf[2][SCAN_THREADS];
    __shared__ int carry;
    const int t = threadIdx.x;
    if (t == 0)
        carry = 0;
    __syncthreads();

    for (int base = 0; base < n; base += SCAN_THREADS) {
        const int i = base + t;
        int pin = 0;
        buf[0][t] = (i < n) ? in[i] : 0;
        __syncthreads();
        // Hillis-Steele scan, double-buffered.
        for (int off = 1; off < SCAN_THREADS; off <<= 1) {
            const int v = buf[pin][t] + (t >= off ? buf[pin][t - off] : 0);
            buf[pin ^ 1][t] = v;
            pin ^= 1;
            __syncthreads();
        }
        const int c = carry;
        if (i < n)
            out[i] = buf[pin][t] + c;
        __syncthreads();
        if (t == SCAN_THREADS - 1)
            carry = c + buf[pin][t];
        __syncthreads();
    }
}

cudaError_t prefix_sum(const int* in, int* out, int n, cudaStream_t s)
{
    inclusive_scan_single_block<<<1, SCAN_THREADS, 0, s>>>(in, out, n);
    return cudaGetLastError();
}
