// Shared-memory tiled GEMM (C = A * B), row-major, tile 16x16.
// Features: 2D grid, 2D blocks, static shared tiles, __syncthreads, __launch_bounds__(256),
// blockIdx.z as batch index (3D grid), host launch code with local variables named
// gridDim/blockDim (must not be rewritten by the compiler).
#include <cuda_runtime.h>

#define TILE 16

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void __launch_bounds__(256)
matmul_tiled(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
             int M, int N, int K)
{
    __shared__ float As[TILE][TILE];
    __shared__ float Bs[TILE][TILE];

    const int row = blockIdx.y * TILE + threadIdx.y;
    const int col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0.0f;

    for (int t = 0; t < (K + TILE - 1) / TILE; ++t) {
        const int a_col = t * TILE + threadIdx.x;
        const int b_row = t * TILE + threadIdx.y;
        As[threadIdx.y][threadIdx.x] = (row < M && a_col < K) ? A[row * K + a_col] : 0.0f;
        Bs[threadIdx.y][threadIdx.x] = (b_row < K && col < N) ? B[b_row * N + col] : 0.0f;
        __syncthreads();
#pragma unroll
        for (int k = 0; k < TILE; ++k)
            acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
        __syncthreads();
    }
    if (row < M && col < N)
        C[row * N + col] = acc;
}

// Strided-batched variant: blockIdx.z selects the matrix in the batch.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void __launch_bounds__(256)
batched_matmul_tiled(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
                     int M, int N, int K)
{
    __shared__ float As[TILE][TILE];
    __shared__ float Bs[TILE][TILE];

    const int batch = blockIdx.z;
    const float* a = A + (size_t)batch * M * K;
    const float* b = B + (size_t)batch * K * N;
    float* c = C + (size_t)batch * M * N;

    const int row = blockIdx.y * TILE + threadIdx.y;
    const int col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += TILE) {
        As[threadIdx.y][threadIdx.x] = (row < M && k0 + (int)threadIdx.x < K) ? a[row * K + k0 + threadIdx.x] : 0.0f;
        Bs[threadIdx.y][threadIdx.x] = (k0 + (int)threadIdx.y < K && col < N) ? b[(k0 + threadIdx.y) * N + col] : 0.0f;
        __syncthreads();
#pragma unroll
        for (int k = 0; k < TILE; ++k)
            acc = fmaf(As[threadIdx.y][k], Bs[k][threadIdx.x], acc);
        __syncthreads();
    }
    if (row < M && col < N)
        c[row * N + col] = acc;
}

// Host launch helpers. The local dim3 variables deliberately shadow the CUDA builtin names.
cudaError_t launch_matmul(const float* A, const float* B, float* C, int M, int N, int K,
                          cudaStream_t stream)
{
    dim3 blockDim(TILE, TILE);
    dim3 gridDim((N + TILE - 1) / TILE, (M + TILE - 1) / TILE);
    matmul_tiled<<<gridDim, blockDim, 0, stream>>>(A, B, C, M, N, K);
    return cudaGetLastError();
}

cudaError_t launch_batched_matmul(const float* A, const float* B, float* C, int M, int N, int K,
                                  int batch, cudaStream_t stream)
{
    dim3 blockDim(TILE, TILE, 1);
    dim3 gridDim((N + TILE - 1) / TILE, (M + TILE - 1) / TILE, batch);
    batched_matmul_tiled<<<gridDim, blockDim, 0, stream>>>(A, B, C, M, N, K);
    return cudaGetLastError();
}
