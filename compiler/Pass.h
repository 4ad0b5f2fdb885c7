// The one interface every elastic transformation implements. A pass either
// emits a variant (adding code, never changing the original kernel) or
// refuses the kernel with the reasons it cannot prove the variant correct.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "EmitContext.h"
#include "KernelModel.h"

namespace miriam {

struct PassRefusal {
  std::vector<HazardRecord> reasons;  // the first one is the manifest's reason
};

using PassResult = std::variant<VariantRecord, PassRefusal>;

class Pass {
 public:
  virtual ~Pass() = default;
  // The manifest's variant kind, also the name used with --passes.
  virtual const char* kind() const = 0;
  virtual const char* description() const = 0;
  virtual PassResult run(const KernelInfo& kernel, EmitContext& emit) = 0;
};

}  // namespace miriam
