// A CUDA green context of N SMs (edge-GPU emulation): streams created here
// run their kernels on those SMs only. The driver API is reached through
// cudaGetDriverEntryPointByVersion, so the binary needs no libcuda at link
// time and still starts (and says "no GPU") on machines without a driver.
#pragma once

#include <cuda_runtime_api.h>

#include <memory>
#include <string>

namespace miriam::bench {

class GreenContext {
 public:
  // Splits `sms` SMs off `device` (the current device). nullptr and *error on failure.
  static std::unique_ptr<GreenContext> create(int device, int sms, std::string* error);
  ~GreenContext();
  GreenContext(const GreenContext&) = delete;
  GreenContext& operator=(const GreenContext&) = delete;

  // A non-blocking stream of the green context (priority as for cudaStreamCreateWithPriority).
  cudaError_t create_stream(int priority, cudaStream_t* stream) const;
  int sm_count() const { return sm_count_; }  // SMs granted (may exceed the request: partition granularity)

 private:
  struct Api;
  GreenContext() = default;
  std::unique_ptr<Api> api_;
  void* context_ = nullptr;  // CUgreenCtx
  int sm_count_ = 0;
};

}  // namespace miriam::bench
