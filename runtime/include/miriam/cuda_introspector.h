// KernelIntrospector backed by the CUDA runtime (cudaFuncGetParamInfo), so
// binding checks manifests against the parameter layouts really compiled in.
#pragma once

#include "miriam/kernel_introspector.h"

namespace miriam {

class CudaIntrospector final : public KernelIntrospector {
 public:
  std::optional<std::vector<std::uint64_t>> param_sizes(const void* host_stub) const override;
};

}  // namespace miriam
