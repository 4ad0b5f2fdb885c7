// The synthetic model's one layer kernel, built through miriamc (it gets a
// sliced variant like any user's kernel). Element i goes through `work`
// dependent multiply-adds; explicit rounding (__fmaf_rn) keeps the result
// bitwise identical in the original kernel and every elastic variant.
#include "synthetic_kernels.h"

__global__ void synthetic_layer(const float* __restrict__ in, float* __restrict__ out, unsigned n, unsigned work,
                                unsigned layer) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  // Depends on the (logical) block index, so a wrong slice shows in the output.
  const float bias = 1e-3f * static_cast<float>((blockIdx.x + layer) % 13u);
  float x = in[i];
  for (unsigned k = 0; k < work; ++k) x = __fmaf_rn(x, 0.9995f, bias);
  out[i] = x;
}

namespace miriam::bench {

const void* synthetic_layer_kernel() { return reinterpret_cast<const void*>(&synthetic_layer); }

}  // namespace miriam::bench
