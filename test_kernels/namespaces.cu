// Kernels in a namespace, a nested namespace, a C++17 nested-namespace definition, an anonymous
// namespace, and a static (internal-linkage) kernel. Host launchers live next to them.
#include <cuda_runtime.h>

namespace blas {

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void saxpy(int n, float a, const float* __restrict__ x, float* __restrict__ y)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        y[i] = a * x[i] + y[i];
}

namespace detail {

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void copy_strided(const float* __restrict__ src, float* __restrict__ dst, int n, int stride)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        dst[i] = src[(size_t)i * stride];
}

} // namespace detail

cudaError_t saxpy_async(int n, float a, const float* x, float* y, cudaStream_t s)
{
    saxpy<<<(n + 255) / 256, 256, 0, s>>>(n, a, x, y);
    return cudaGetLastError();
}

} // namespace blas

namespace nn::act {

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void leaky_relu(const float* __restrict__ x, float* __restrict__ y, float slope, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        const float v = x[i];
        y[i] = v > 0.0f ? v : slope * v;
    }
}

} // namespace nn::act

namespace {

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void square_inplace(float* __restrict__ data, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        data[i] = data[i] * data[i];
}

} // namespace

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
static __global__ void negate_static(const int* __restrict__ in, int* __restrict__ out, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = -in[i];
}

cudaError_t square_and_negate(float* data, const int* in, int* out, int n, cudaStream_t s)
{
    square_inplace<<<(n + 127) / 128, 128, 0, s>>>(data, n);
    negate_static<<<(n + 127) / 128, 128, 0, s>>>(in, out, n);
    return cudaGetLastError();
}

cudaError_t leaky_relu(const float* x, float* y, float slope, int n, cudaStream_t s)
{
    nn::act::leaky_relu<<<(n + 255) / 256, 256, 0, s>>>(x, y, slope, n);
    blas::detail::copy_strided<<<32, 256, 0, s>>>(x, y, n / 2, 2);
    return cudaGetLastError();
}
