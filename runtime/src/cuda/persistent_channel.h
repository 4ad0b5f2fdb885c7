// One normal task's control block for its persistent launches (one in flight
// at a time), with the stream ordering that keeps stop requests and clears
// apart:
//   kernel stream: [wait stop_sent] clear stop, record `cleared`,
//                  kernel (its last block resets the claim word), copy the claimed count back, end event
//   stop stream:   wait `cleared`, copy the stop word, record `stop_sent`
// A stop therefore lands after the clear of the launch it targets, and the
// next launch's clear after any earlier stop: no stale stop word stops a
// resumed launch, and no clear undoes a stop it should not.
#pragma once

#include <cuda_runtime.h>
// elastic.cuh's device helpers name blockIdx/gridDim; a host compiler needs their declarations.
#include <device_launch_parameters.h>

#include "miriam/elastic.cuh"

namespace miriam::detail {

class PersistentChannel {
 public:
  PersistentChannel() = default;
  ~PersistentChannel();
  PersistentChannel(const PersistentChannel&) = delete;
  PersistentChannel& operator=(const PersistentChannel&) = delete;

  cudaError_t create();

  // Stream-ordered before the launch, on launch.stream.
  cudaError_t prepare(const PersistentLaunch& launch);
  // Stream-ordered after the launch, on its stream: the claimed count comes back
  // to pinned memory, readable once the launch's end event has completed.
  cudaError_t after_launch(cudaStream_t stream);
  // Asks the launch prepared last to stop at its next logical-block boundary.
  cudaError_t request_stop(cudaStream_t stop_stream);

  // Where the launch prepared last got to (valid after its end event
  // completed). It needs that launch's P, C and static-chunk setting, not
  // only its range: a launch covered by its static chunks leaves no count.
  unsigned long long progress() const;

  PersistentControl* device_control() const { return block_.device; }
  // Completed when the last stop word reached the device (a timing event):
  // how long the launch took to drain after it is the preemption latency.
  cudaEvent_t stop_event() const { return stop_sent_; }

 private:
  PersistentControlBlock block_{};
  cudaEvent_t cleared_ = nullptr;
  cudaEvent_t stop_sent_ = nullptr;
  bool stop_sent_pending_ = false;  // a stop was sent since the last clear
  PersistentLaunch prepared_{};      // the launch prepared last
};

}  // namespace miriam::detail
