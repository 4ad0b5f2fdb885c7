// A kernel that advances its own parameters by its block index (a common way
// to write "this block's slice of the arrays"). Parameters are per-thread
// locals of the launch: every block of the original starts from the launch's
// values, so a persistent variant must give every logical block fresh copies
// (a physical block running a second logical block would otherwise start
// from where the first one left the pointers and the count).
#include <cuda_runtime.h>

// miriam-expect: sliced
// miriam-expect-persistent: persistent
// miriam-expect-shrunk: shrunk
__global__ void scale_block_slices(const float* __restrict__ in, float* __restrict__ out, int n, int per_block)
{
    in += blockIdx.x * per_block;
    out += blockIdx.x * per_block;
    n -= blockIdx.x * per_block;
    if (n > per_block) n = per_block;
    for (int i = threadIdx.x; i < n; i += blockDim.x)
        out[i] = in[i] * 2.0f + (float)i;
}
