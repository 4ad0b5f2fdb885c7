// Element types and by-value parameters: int8 quantization, uint8 dequantization, double,
// half (cuda_fp16.h, half2 vectorized), and a kernel taking a parameter struct by value.
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <stdint.h>

// Symmetric per-tensor int8 quantization with round-to-nearest and saturation.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void quantize_int8(const float* __restrict__ x, int8_t* __restrict__ q, float inv_scale, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        const int v = __float2int_rn(x[i] * inv_scale);
        q[i] = (int8_t)max(-127, min(127, v));
    }
}

// Asymmetric uint8 dequantization, grid-stride.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void dequantize_uint8(const uint8_t* __restrict__ q, float* __restrict__ x, float scale,
                                 int zero_point, int n)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        x[i] = scale * (float)((int)q[i] - zero_point);
}

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void daxpby(int n, double a, const double* __restrict__ x, double b, double* __restrict__ y)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        y[i] = fma(a, x[i], b * y[i]);
}

// Half precision: y = relu(a * x + bias), two elements per thread via half2 (n is even).
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void __launch_bounds__(128, 4)
half_scale_bias_relu(const __half* __restrict__ x, __half* __restrict__ y, __half a, __half bias, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (2 * i + 1 < n) {
        const __half2 xv = reinterpret_cast<const __half2*>(x)[i];
        const __half2 av = __half2half2(a);
        const __half2 bv = __half2half2(bias);
        const __half2 r = __hmax2(__hfma2(av, xv, bv), __float2half2_rn(0.0f));
        reinterpret_cast<__half2*>(y)[i] = r;
    }
}

struct Params {
    float a;
    int n;
    const float* x;
    float* y;
};

// Parameter struct passed by value.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void axpy_params(Params p)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < p.n)
        p.y[i] = p.a * p.x[i] + 1.0f;
}

cudaError_t axpy(float a, const float* x, float* y, int n, cudaStream_t s)
{
    Params p;
    p.a = a;
    p.n = n;
    p.x = x;
    p.y = y;
    axpy_params<<<(n + 255) / 256, 256, 0, s>>>(p);
    return cudaGetLastError();
}

cudaError_t quantize(const float* x, int8_t* q, float scale, int n, cudaStream_t s)
{
    quantize_int8<<<(n + 255) / 256, 256, 0, s>>>(x, q, 1.0f / scale, n);
    return cudaGetLastError();
}
