// 3D-grid kernels over a volume: element-wise add and a 7-point Laplacian stencil with a
// shared-memory tile (halo of 1 in x/y, z neighbours read from global memory).
#include <cuda_runtime.h>

#define BX 8
#define BY 8
#define BZ 4

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void volume_add(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c,
                           int nx, int ny, int nz)
{
    const int x = blockIdx.x * blockDim.x + threadIdx.x;
    const int y = blockIdx.y * blockDim.y + threadIdx.y;
    const int z = blockIdx.z * blockDim.z + threadIdx.z;
    if (x >= nx || y >= ny || z >= nz)
        return;
    const size_t i = ((size_t)z * ny + y) * nx + x;
    c[i] = a[i] + b[i];
}

// out = sum of 6 neighbours - 6 * centre (zero boundary).
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void __launch_bounds__(BX * BY * BZ)
laplace7(const float* __restrict__ in, float* __restrict__ out, int nx, int ny, int nz)
{
    __shared__ float tile[BZ][BY + 2][BX + 2];
    const int x = blockIdx.x * BX + threadIdx.x;
    const int y = blockIdx.y * BY + threadIdx.y;
    const int z = blockIdx.z * BZ + threadIdx.z;
    const int tx = threadIdx.x + 1, ty = threadIdx.y + 1, tz = threadIdx.z;

    auto at = [&](int xx, int yy, int zz) -> float {
        if (xx < 0 || yy < 0 || zz < 0 || xx >= nx || yy >= ny || zz >= nz) return 0.0f;
        return in[((size_t)zz * ny + yy) * nx + xx];
    };

    tile[tz][ty][tx] = at(x, y, z);
    if (threadIdx.x == 0)      tile[tz][ty][0]      = at(x - 1, y, z);
    if (threadIdx.x == BX - 1) tile[tz][ty][BX + 1] = at(x + 1, y, z);
    if (threadIdx.y == 0)      tile[tz][0][tx]      = at(x, y - 1, z);
    if (threadIdx.y == BY - 1) tile[tz][BY + 1][tx] = at(x, y + 1, z);
    __syncthreads();

    if (x < nx && y < ny && z < nz) {
        const float c = tile[tz][ty][tx];
        const float s = tile[tz][ty][tx - 1] + tile[tz][ty][tx + 1] + tile[tz][ty - 1][tx] +
                        tile[tz][ty + 1][tx] + at(x, y, z - 1) + at(x, y, z + 1);
        out[((size_t)z * ny + y) * nx + x] = s - 6.0f * c;
    }
}

cudaError_t laplacian(const float* in, float* out, int nx, int ny, int nz, cudaStream_t s)
{
    dim3 blockDim(BX, BY, BZ);
    dim3 gridDim((nx + BX - 1) / BX, (ny + BY - 1) / BY, (nz + BZ - 1) / BZ);
    laplace7<<<gridDim, blockDim, 0, s>>>(in, out, nx, ny, nz);
    return cudaGetLastError();
}
