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
  // chunk_loop: kernels whose logical blocks share nothing get the chunk loop
  // (one barrier per claimed chunk; templates/persistent_chunk_*), the others
  // the block loop. Off: the block loop for all. The chunk loop pays off only
  // with C > 1 (the runtime's claim budget, off by default) and can cost
  // registers: ptxas sm_90 gave depthwise convolution 40 registers in it
  // against 32 in the block loop (6 instead of 8 blocks of 256 threads per SM).
  explicit PersistentPass(bool chunk_loop = false) : chunk_loop_(chunk_loop) {}
  const char* kind() const override { return "persistent"; }
  const char* description() const override {
    return "persistent threads: P resident blocks loop over logical blocks [begin, end), preemptible between them";
  }
  PassResult run(const KernelInfo& kernel, EmitContext& emit) override;

 private:
  bool chunk_loop_;
};

}  // namespace miriam
