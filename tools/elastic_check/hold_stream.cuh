// A one-thread kernel that holds its stream for `ns` nanoseconds, so that the
// launches a host enqueues behind it are all queued before the GPU reaches
// them: CUDA-event times around them then hold GPU time only, not the host's
// launch latency. Used by elastic_check's timing and tools/device/probes.
#pragma once

namespace miriam::check {

static __global__ void hold_stream(unsigned long long ns) {
  unsigned long long start, now;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  do {
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
  } while (now - start < ns);
}

}  // namespace miriam::check
