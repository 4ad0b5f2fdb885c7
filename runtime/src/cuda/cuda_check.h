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

// Whether `e` is one of the errors CUDA documents as sticky ("leaves the
// process in an inconsistent state ... the process must be terminated and
// relaunched", driver_types.h): after one, every CUDA call of the process
// fails with it, so no request of any task can complete any more. Launch
// errors such as cudaErrorInvalidConfiguration are not: the launch never
// happened and the context goes on.
inline bool is_context_lost(cudaError_t e) {
  switch (e) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchTimeout:
    case cudaErrorAssert:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorLaunchFailure:
    case cudaErrorTensorMemoryLeak:
    case cudaErrorContained:
    case cudaErrorExternalDevice:
    case cudaErrorMpsClientTerminated:
      return true;
    default:
      return false;
  }
}

// What a failed request reports: the CUDA error's name and text, the kernel
// (or CUDA call) and the task; for a sticky error, that the context is lost.
inline std::string request_failure_text(cudaError_t e, const std::string& what, const std::string& task) {
  std::string text = fmt::format("{} of task '{}' failed: {} ({})", what, task, cudaGetErrorName(e), cudaGetErrorString(e));
  if (is_context_lost(e))
    text += "; the CUDA context is lost (a sticky error): every request of every task in this process fails from "
            "now on; restart the process to use the GPU again";
  return text;
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
