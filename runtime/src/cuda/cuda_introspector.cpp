#include "miriam/cuda_introspector.h"

#include <cuda_runtime.h>

namespace miriam {

std::optional<std::vector<std::uint64_t>> CudaIntrospector::param_sizes(const void* host_stub) const {
  cudaFuncAttributes attrs;
  if (cudaFuncGetAttributes(&attrs, host_stub) != cudaSuccess) {
    cudaGetLastError();
    return std::nullopt;
  }
  // cudaFuncGetParamInfo answers cudaErrorInvalidValue past the last parameter.
  std::vector<std::uint64_t> sizes;
  for (std::size_t i = 0; i < 4096; ++i) {
    std::size_t offset = 0, size = 0;
    const cudaError_t e = cudaFuncGetParamInfo(host_stub, i, &offset, &size);
    if (e != cudaSuccess) {
      cudaGetLastError();
      if (e != cudaErrorInvalidValue) return std::nullopt;
      break;
    }
    sizes.push_back(size);
  }
  return sizes;
}

}  // namespace miriam
