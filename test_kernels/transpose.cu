// Matrix transpose through a padded shared-memory tile (TILE x TILE+1: no bank conflicts),
// 32x8 thread blocks each moving a 32x32 tile, arbitrary (non-multiple) dimensions.
#include <cuda_runtime.h>

#define TILE_DIM 32
#define BLOCK_ROWS 8

// in: rows x cols, out: cols x rows.
// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void transpose_padded(const float* __restrict__ in, float* __restrict__ out, int rows, int cols)
{
    __shared__ float tile[TILE_DIM][TILE_DIM + 1];

    int x = blockIdx.x * TILE_DIM + threadIdx.x;
    int y = blockIdx.y * TILE_DIM + threadIdx.y;
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (x < cols && y + j < rows)
            tile[threadIdx.y + j][threadIdx.x] = in[(size_t)(y + j) * cols + x];
    __syncthreads();

    x = blockIdx.y * TILE_DIM + threadIdx.x;
    y = blockIdx.x * TILE_DIM + threadIdx.y;
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (x < rows && y + j < cols)
            out[(size_t)(y + j) * rows + x] = tile[threadIdx.x][threadIdx.y + j];
}

cudaError_t transpose(const float* in, float* out, int rows, int cols, cudaStream_t s)
{
    dim3 blockDim(TILE_DIM, BLOCK_ROWS);
    dim3 gridDim((cols + TILE_DIM - 1) / TILE_DIM, (rows + TILE_DIM - 1) / TILE_DIM);
    transpose_padded<<<gridDim, blockDim, 0, s>>>(in, out, rows, cols);
    return cudaGetLastError();
}
