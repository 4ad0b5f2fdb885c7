// Stream memory operations (a GPU-side wait on, and write of, a 32-bit word)
// that order a caller's stream after work the coordinator issues later: the
// caller's stream waits for a gate word to reach a value; the coordinator's
// stream writes that value after the request's last kernel (launch.cpp,
// coordinator.cpp). The driver functions come through
// cudaGetDriverEntryPointByVersion, so nothing links libcuda: a CPU-only
// build and link keep working, and a device or driver without them makes
// rewritten launches fall back to waiting on the host.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

namespace miriam::detail {

class StreamMemOps {
 public:
  // The process's instance (entry points resolved once).
  static const StreamMemOps& get();

  // Whether gates work on `device`: the entry points exist and a probe (a
  // write then a wait on a stream of its own) completed. Probed once per
  // device; `why` says what failed otherwise.
  bool usable_on(int device, std::string* why) const;

  // GPU-side, ordered in `stream`: wait until (int32_t)(*gate - value) >= 0
  // (CU_STREAM_WAIT_VALUE_GEQ, wraparound-safe), or write `value`.
  cudaError_t wait_geq(cudaStream_t stream, const std::uint32_t* gate, std::uint32_t value) const;
  cudaError_t write(cudaStream_t stream, std::uint32_t* gate, std::uint32_t value) const;

 private:
  StreamMemOps();
  void* wait_ = nullptr;   // cuStreamWaitValue32 (stream-ordered memory operations, v2)
  void* write_ = nullptr;  // cuStreamWriteValue32
  std::string missing_;    // why the entry points are not there
};

}  // namespace miriam::detail
