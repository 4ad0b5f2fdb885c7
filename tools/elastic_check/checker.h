// Checks one resolved launch on the GPU: equivalence of every variant
// schedule with the original (bitwise), then the variant's overhead.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "init.h"
#include "report.h"
#include "resolve.h"

namespace miriam::check {

struct CheckOptions {
  std::uint64_t seed = 1;
  unsigned equivalence_runs = 2;  // fresh inputs per run
  unsigned timing_runs = 50;      // 0: no timing
  unsigned warmup = 5;
  std::vector<std::string> kinds;  // variant kinds to check; empty: all
  std::size_t guard_bytes = kGuardBytes;  // after each buffer; 0 under compute-sanitizer memcheck
  // Timing only (--timing-only): no variant schedule is run or compared and no
  // preemption is measured; the original still runs (the timed launches need
  // its buffers). For profiling a few launches under ncu, not for evidence.
  bool timing_only = false;
};

// Fills `result` (whose spec fields are already set). A non-sticky CUDA error
// is recorded in `result` and the function returns; a sticky one throws
// StickyCudaError.
void check_launch(const Plan& plan, const CheckOptions& options, cudaStream_t stream, LaunchResult& result);

}  // namespace miriam::check
