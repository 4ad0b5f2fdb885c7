#include "cuda_check.h"

#include <string>

namespace miriam::check {

void throw_cuda(cudaError_t code, const char* expr, const char* file, int line) {
  const char* base = file;
  for (const char* p = file; *p; ++p)
    if (*p == '/') base = p + 1;
  throw CudaError(code, std::string(cudaGetErrorName(code)) + " (" + cudaGetErrorString(code) + ") from " + expr +
                            " at " + base + ":" + std::to_string(line));
}

void recover_or_throw_sticky(const CudaError& error) {
  cudaGetLastError();  // clears a non-sticky error
  const cudaError_t probe = cudaDeviceSynchronize();
  if (probe != cudaSuccess || cudaGetLastError() != cudaSuccess)
    throw StickyCudaError(error.code, std::string(error.what()) + "; the CUDA context is broken (" +
                                          cudaGetErrorName(probe) + "), stopping");
}

}  // namespace miriam::check
