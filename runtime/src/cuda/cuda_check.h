// Checked CUDA calls that return the error so callers chain them (CUB's
// CubDebug idea): nothing here aborts; the caller decides whom it fails.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include <fmt/format.h>

namespace miriam::detail {

inline std::string cuda_error_text(cudaError_t e, const char* what) {
  return fmt::format("{} failed: {} ({})", what, cudaGetErrorString(e), cudaGetErrorName(e));
}

}  // namespace miriam::detail

// Evaluates a CUDA call; on error returns {Status::kErrorCuda} after storing
// the message in `error_message` (a std::string in scope).
#define MIRIAM_CUDA_TRY(call)                                                   \
  do {                                                                          \
    const cudaError_t miriam_err_ = (call);                                     \
    if (miriam_err_ != cudaSuccess) {                                           \
      error_message = ::miriam::detail::cuda_error_text(miriam_err_, #call);    \
      return ::miriam::Status::kErrorCuda;                                      \
    }                                                                           \
  } while (0)
