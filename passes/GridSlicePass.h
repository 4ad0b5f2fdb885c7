// Grid slicing (elastic grid): a variant `k__miriam_sliced(Slice, ...)` runs
// the logical blocks [begin, end) of the original grid, one physical block
// each, in a launch of any size; blockIdx/gridDim read logical values.
#pragma once

#include "Pass.h"

namespace miriam {

// The sliced launch helper's name is the kernel's plus this (the persistent
// helper calls it for launches that need no loop).
inline constexpr const char* kSlicedHelperSuffix = "__miriam_launch_sliced";

class GridSlicePass : public Pass {
 public:
  const char* kind() const override { return "sliced"; }
  const char* description() const override {
    return "grid slicing: run logical blocks [begin, end) of the original grid in a separate launch";
  }
  PassResult run(const KernelInfo& kernel, EmitContext& emit) override;
};

}  // namespace miriam
