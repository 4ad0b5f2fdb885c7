// Global thread index computed by macros that are shared with host code.
// The host reference implementation below emulates the CUDA launch on the CPU with local
// variables named blockIdx/blockDim/threadIdx/gridDim and expands the SAME macros: a compiler
// that edits the #define bodies must keep this host code compiling and correct.
#include <cuda_runtime.h>

#define TID (blockIdx.x * blockDim.x + threadIdx.x)
#define NTHREADS (gridDim.x * blockDim.x)
#define CLAMP(v, lo, hi) fminf(fmaxf((v), (lo)), (hi))

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void relu_macro(const float* __restrict__ x, float* __restrict__ y, int n)
{
    const unsigned i = TID;
    if (i < n)
        y[i] = fmaxf(x[i], 0.0f);
}

// Grid-stride loop spelled with macros.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void clamp_macro(const float* __restrict__ x, float* __restrict__ y, float lo, float hi, int n)
{
    for (unsigned i = TID; i < n; i += NTHREADS)
        y[i] = CLAMP(x[i], lo, hi);
}

// CPU reference with the same indexing macros.
void relu_reference(const float* x, float* y, int n, int block)
{
    dim3 blockDim(block);
    dim3 gridDim((n + block - 1) / block);
    uint3 blockIdx = make_uint3(0, 0, 0);
    uint3 threadIdx = make_uint3(0, 0, 0);
    for (blockIdx.x = 0; blockIdx.x < gridDim.x; ++blockIdx.x)
        for (threadIdx.x = 0; threadIdx.x < blockDim.x; ++threadIdx.x) {
            const unsigned i = TID;
            if (i < (unsigned)n)
                y[i] = x[i] > 0.0f ? x[i] : 0.0f;
        }
}

cudaError_t relu(const float* x, float* y, int n, cudaStream_t s)
{
    const int block = 256;
    relu_macro<<<(n + block - 1) / block, block, 0, s>>>(x, y, n);
    return cudaGetLastError();
}

cudaError_t clamp(const float* x, float* y, float lo, float hi, int n, cudaStream_t s)
{
    dim3 gridDim(48), blockDim(256);
    clamp_macro<<<gridDim, blockDim, 0, s>>>(x, y, lo, hi, n);
    return cudaGetLastError();
}
