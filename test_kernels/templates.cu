// Template kernels.
// Features: scale<T> instantiated for float and double by explicit instantiation; add_vec<T, VEC>
// (type + non-type template parameter) instantiated implicitly by launches in host functions.
#include <cuda_runtime.h>

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
template <typename T>
__global__ void scale(T* __restrict__ y, const T* __restrict__ x, T alpha, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        y[i] = alpha * x[i];
}

template __global__ void scale<float>(float*, const float*, float, int);
template __global__ void scale<double>(double*, const double*, double, int);

// Each thread handles VEC consecutive elements of its block's chunk.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
template <typename T, int VEC>
__global__ void add_vec(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ c, int n)
{
    const int base = (blockIdx.x * blockDim.x + threadIdx.x) * VEC;
#pragma unroll
    for (int v = 0; v < VEC; ++v) {
        const int i = base + v;
        if (i < n)
            c[i] = a[i] + b[i];
    }
}

template <typename T, int VEC>
static cudaError_t launch_add_vec(const T* a, const T* b, T* c, int n, cudaStream_t s)
{
    const int threads = 128;
    const int per_block = threads * VEC;
    add_vec<T, VEC><<<(n + per_block - 1) / per_block, threads, 0, s>>>(a, b, c, n);
    return cudaGetLastError();
}

cudaError_t add_float(const float* a, const float* b, float* c, int n, cudaStream_t s)
{
    return launch_add_vec<float, 4>(a, b, c, n, s);
}

cudaError_t add_int(const int* a, const int* b, int* c, int n, cudaStream_t s)
{
    return launch_add_vec<int, 2>(a, b, c, n, s);
}

cudaError_t scale_double(double* y, const double* x, double alpha, int n, cudaStream_t s)
{
    scale<double><<<(n + 255) / 256, 256, 0, s>>>(y, x, alpha, n);
    return cudaGetLastError();
}
