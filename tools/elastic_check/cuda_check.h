// CUDA error checking for the harness: every runtime call goes through
// MIRIAM_CUDA(...), which throws CudaError naming the call and the place.
#pragma once

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace miriam::check {

struct CudaError : std::runtime_error {
  CudaError(cudaError_t code, const std::string& what) : std::runtime_error(what), code(code) {}
  cudaError_t code;
};

// A CUDA error the context cannot recover from (illegal address, ...): the
// run must stop; nothing after it can be trusted.
struct StickyCudaError : CudaError {
  using CudaError::CudaError;
};

[[noreturn]] void throw_cuda(cudaError_t code, const char* expr, const char* file, int line);

inline void cuda_check(cudaError_t code, const char* expr, const char* file, int line) {
  if (code != cudaSuccess) throw_cuda(code, expr, file, line);
}

// After a launch: the launch error, if any (does not wait for the kernel).
inline void check_launch(const char* what, const char* file, int line) {
  cuda_check(cudaGetLastError(), what, file, line);
}

// Called after catching a CudaError: clears a non-sticky error and returns;
// throws StickyCudaError when the context is broken.
void recover_or_throw_sticky(const CudaError& error);

}  // namespace miriam::check

#define MIRIAM_CUDA(expr) ::miriam::check::cuda_check((expr), #expr, __FILE__, __LINE__)
#define MIRIAM_CHECK_LAUNCH(what) ::miriam::check::check_launch((what), __FILE__, __LINE__)
