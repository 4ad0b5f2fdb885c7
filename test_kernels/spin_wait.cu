// A kernel that waits for another block: block 0 publishes the sum of the input and sets a
// flag; every other block spins on the (volatile) flag, then scales its chunk by the sum.
// Correct only while block 0 is resident at the same time as the waiters (true for the tiny
// grid of its launch spec). A variant that runs blocks in separate launches (slices) or one
// after another in a loop (persistent threads) can hang here, so both passes must refuse it.
#include <cuda_runtime.h>

// miriam-expect: refused(sliced): spin-waits on a flag that block 0 sets
// miriam-expect-persistent: refused: spin-waits on a flag that block 0 sets
// miriam-expect-shrunk: refused: __syncthreads under an if
__global__ void scale_by_block0_sum(const float* __restrict__ in, float* __restrict__ out,
                                    volatile int* ready, float* total, int n)
{
    if (blockIdx.x == 0) {
        if (threadIdx.x == 0) {
            float s = 0.0f;
            for (int i = 0; i < n; ++i) s += in[i];
            *(volatile float*)total = s;
            __threadfence();
            *ready = 1;
        }
    } else {
        if (threadIdx.x == 0) {
            while (*ready == 0) {
            }
        }
        __syncthreads();
        const float s = *(volatile float*)total;
        const int i = (blockIdx.x - 1) * blockDim.x + threadIdx.x;
        if (i < n) out[i] = in[i] * s;
    }
}
