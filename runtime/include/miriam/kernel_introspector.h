// What the compiled program says about a kernel, asked through an interface
// so binding can be tested on the CPU with fakes. The CUDA build answers
// from cudaFuncGetParamInfo (cuda_introspector.h).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace miriam {

class KernelIntrospector {
 public:
  virtual ~KernelIntrospector() = default;

  // Byte sizes of the parameters of the kernel behind `host_stub`, in order;
  // nullopt when this introspector cannot tell.
  virtual std::optional<std::vector<std::uint64_t>> param_sizes(const void* host_stub) const = 0;
};

}  // namespace miriam
