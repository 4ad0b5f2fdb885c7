// Launch sites of unchanged host code, routed to the coordinator.
//
// `miriamc --rewrite-launches` turns every `k<<<g, b, s, st>>>(a...)` of a
// processed file into
//   ::miriam::detail::LaunchSite<P...>::make(&k, g, b, s, st)(a...)
// whose parameters P... are the kernel's own, so every argument converts
// exactly as in the <<<>>> call (config first, then the arguments, C++17).
// The call ends in miriam::launch_kernel:
//
//   miriam::TaskScope scope(coordinator, task);   // this thread's launches now belong to `task`
//   run_model_unchanged(stream);                  // rewritten launches go through the coordinator
//
// With no task bound on the thread, launch_kernel is cudaLaunchKernel on the
// caller's stream: rewritten code behaves exactly as before.
//
// With a task bound, each launch becomes one request of that task, and
// stream semantics are kept for code that does not know about the
// coordinator (the coordinator picks its own stream and may hold or shard a
// normal launch after submit returns):
//  - before: the task's stream waits (on the GPU) for an event recorded on the
//    caller's stream, so the kernel runs after the caller's earlier copies;
//  - after: launch_kernel returns once the request has completed, so any
//    later work (copies on the caller's stream, cudaMemcpy, events,
//    cudaDeviceSynchronize) sees the kernel's results. The launch is
//    synchronous for the calling thread: one kernel of the task in flight at
//    a time (other tasks' threads keep the GPU busy meanwhile).
// Returning before completion would need the coordinator to order the
// caller's stream after a launch it has not issued yet (see launch.cpp).
//
// Errors, and what cudaGetLastError() returns after a rewritten launch:
//  - a launch CUDA would reject (grid/block/shared memory out of the kernel's
//    or device's limits, a bad stream) is not submitted: it is launched
//    directly with cudaLaunchKernel, so CUDA itself reports the very error
//    the <<<>>> call would have, to cudaGetLastError() too;
//  - an error pending before the launch stays pending: such a launch also
//    goes directly to CUDA (the coordinator's internal calls could clear it);
//  - an error the coordinator meets after accepting the launch (it is rare:
//    the configuration was checked) is returned by launch_kernel and kept in
//    last_launch_message(); cudaGetLastError() does not see it. Errors of the
//    kernel's execution are sticky and show up at the next synchronizing
//    call, as without Miriam.
// A launch that is not coordinated is never lost: it runs on the caller's
// stream, and launch_counters() counts it with the reason in
// last_launch_message(). Launches on a stream being captured into a CUDA
// graph, and launches while the task has a request opened through the
// explicit API, go directly to CUDA too.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "miriam/task.h"

namespace miriam {

class Coordinator;

// Binds `task` of `coordinator` as the calling thread's current task for the
// scope's lifetime; scopes nest (the inner one wins, the outer one is
// restored at its end).
class TaskScope {
 public:
  TaskScope(Coordinator& coordinator, TaskId task);
  ~TaskScope();
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;

 private:
  Coordinator* previous_coordinator_;
  TaskId previous_task_;
};

struct CurrentTask {
  Coordinator* coordinator = nullptr;  // null: no task bound on this thread
  TaskId task = 0;
};
CurrentTask current_task();

// A kernel launch as with cudaLaunchKernel (args: pointers to the values of
// the kernel's parameters), routed to this thread's current task if any.
cudaError_t launch_kernel(const void* kernel, dim3 grid, dim3 block, std::size_t shared_bytes, cudaStream_t stream,
                          void** args);

// Process-wide counts of launch_kernel calls by route.
struct LaunchCounters {
  std::uint64_t direct_unbound = 0;   // no task bound: cudaLaunchKernel
  std::uint64_t coordinated = 0;      // submitted to the coordinator and completed
  std::uint64_t direct_fallback = 0;  // task bound but launched directly (why: last_launch_message())
  std::uint64_t failed = 0;           // submitted and failed in the coordinator
};
LaunchCounters launch_counters();

// Why this thread's last launch was not coordinated, or how it failed; empty
// after a coordinated launch that succeeded.
const char* last_launch_message();

namespace detail {

inline cudaStream_t caller_stream(cudaStream_t stream) {
#if defined(CUDA_API_PER_THREAD_DEFAULT_STREAM)
  // Stream 0 of a file built with --default-stream per-thread is the
  // thread's own default stream; launch.cpp is built without that flag.
  if (stream == nullptr) return cudaStreamPerThread;
#endif
  return stream;
}

// The launch configuration of one rewritten launch site; calling it with the
// kernel's arguments launches. P... are the kernel's parameter types.
template <class... P>
class LaunchSite {
 public:
  static LaunchSite make(void (*kernel)(P...), dim3 grid, dim3 block, std::size_t shared_bytes = 0,
                         cudaStream_t stream = 0) {
    return LaunchSite(kernel, grid, block, shared_bytes, stream);
  }
  // By value, like the kernel's own parameters: the conversions are those of the call.
  void operator()(P... args) const {
    // A C-style cast: P may carry __restrict, which static_cast/const_cast cannot drop.
    void* arg_ptrs[sizeof...(P) + 1] = {(void*)(&args)..., nullptr};
    launch_kernel(reinterpret_cast<const void*>(kernel_), grid_, block_, shared_bytes_, caller_stream(stream_),
                  arg_ptrs);
  }

 private:
  LaunchSite(void (*kernel)(P...), dim3 grid, dim3 block, std::size_t shared_bytes, cudaStream_t stream)
      : kernel_(kernel), grid_(grid), block_(block), shared_bytes_(shared_bytes), stream_(stream) {}
  void (*kernel_)(P...);
  dim3 grid_, block_;
  std::size_t shared_bytes_;
  cudaStream_t stream_;
};

// For launch sites in templates, where the parameter types are known only per
// instantiation: `kernel` names one specialization (all template arguments written).
template <class... P>
LaunchSite<P...> launch_site(void (*kernel)(P...), dim3 grid, dim3 block, std::size_t shared_bytes = 0,
                             cudaStream_t stream = 0) {
  return LaunchSite<P...>::make(kernel, grid, block, shared_bytes, stream);
}

}  // namespace detail
}  // namespace miriam
