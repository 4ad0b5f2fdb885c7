#include "persistent_channel.h"

namespace miriam::detail {

PersistentChannel::~PersistentChannel() {
  if (cleared_) cudaEventDestroy(cleared_);
  if (stop_sent_) cudaEventDestroy(stop_sent_);
  persistent_control_destroy(&block_);
}

cudaError_t PersistentChannel::create() {
  cudaError_t e = persistent_control_create(&block_);
  if (e == cudaSuccess) e = cudaEventCreateWithFlags(&cleared_, cudaEventDisableTiming);
  if (e == cudaSuccess) e = cudaEventCreate(&stop_sent_);  // timed: the trace reports the drain
  return e;
}

cudaError_t PersistentChannel::prepare(const PersistentLaunch& launch) {
  cudaError_t e = cudaSuccess;
  if (stop_sent_pending_) e = cudaStreamWaitEvent(launch.stream, stop_sent_, 0);
  if (e == cudaSuccess) e = persistent_clear_stop(block_, launch.stream);
  if (e == cudaSuccess) e = persistent_prepare_launch(launch);
  if (e == cudaSuccess) e = cudaEventRecord(cleared_, launch.stream);
  if (e == cudaSuccess) stop_sent_pending_ = false, prepared_ = launch;
  return e;
}

cudaError_t PersistentChannel::after_launch(cudaStream_t stream) { return persistent_query_progress(block_, stream); }

cudaError_t PersistentChannel::request_stop(cudaStream_t stop_stream) {
  cudaError_t e = cudaStreamWaitEvent(stop_stream, cleared_, 0);
  if (e == cudaSuccess) e = persistent_request_preemption(block_, stop_stream);
  if (e == cudaSuccess) e = cudaEventRecord(stop_sent_, stop_stream);
  if (e == cudaSuccess) stop_sent_pending_ = true;
  return e;
}

unsigned long long PersistentChannel::progress() const {
  return persistent_progress(prepared_, *block_.host_claimed);
}

}  // namespace miriam::detail
