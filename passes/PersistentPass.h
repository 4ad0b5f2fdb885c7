// Persistent-thread conversion with cooperative preemption: a variant
// `k__miriam_persistent(PersistentControl*, Slice, ...)` launched with any
// P >= 1 blocks, whose blocks loop over the logical blocks [begin, end) of the
// original grid (an atomic ticket per chunk of Slice::chunk logical blocks)
// and stop at a chunk boundary when the control block's stop word is set.
#pragma once

#include "Pass.h"

namespace miriam {

class PersistentPass : public Pass {
 public:
  const char* kind() const override { return "persistent"; }
  const char* description() const override {
    return "persistent threads: P resident blocks loop over logical blocks [begin, end), preemptible between them";
  }
  PassResult run(const KernelInfo& kernel, EmitContext& emit) override;
};

}  // namespace miriam
