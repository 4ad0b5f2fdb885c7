// Block shrinking (elastic block): a variant `k__miriam_shrunk(Shrink, ...)`
// launched with B/f threads per block, each physical thread running f logical
// threads of the original block (f chosen at launch); threadIdx/blockDim read
// logical values, results are identical to the original's.
#pragma once

#include "Pass.h"

namespace miriam {

class ShrinkPass : public Pass {
 public:
  const char* kind() const override { return "shrunk"; }
  const char* description() const override {
    return "block shrinking: a block of B/f threads runs the B logical threads of an original block";
  }
  PassResult run(const KernelInfo& kernel, EmitContext& emit) override;
};

}  // namespace miriam
