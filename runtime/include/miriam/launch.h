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
//  - before: right before the request's first kernel or shard goes out, the
//    task's stream waits (on the GPU) for an event recorded on the caller's
//    stream, so the kernel runs after the caller's earlier work;
//  - after: the caller's stream waits (on the GPU) for a gate word the
//    coordinator writes after the request's last kernel or shard, so later
//    work on the caller's stream (copies, kernels, events, and what
//    synchronizes with it) sees the kernel's results;
//  - launch_kernel returns once the request is issued, as <<<>>> does:
//    launches of a thread overlap, and run in the order they were made (a
//    task's requests are issued FIFO on its stream). A launch the coordinator
//    holds or cuts into shards returns only once all of it went out, and one
//    it runs as a preemptible persistent kernel once that kernel finished (a
//    stop hands the rest back to the coordinator to issue later): the
//    caller's stream never waits on the GPU for a decision still to come on
//    the host. Otherwise any device-wide synchronization in the process
//    (cudaFree, cudaFreeHost, cudaDeviceSynchronize, the legacy default
//    stream) would wait for the held launch while blocking the coordinator's
//    own CUDA calls: a deadlock (launch_counters().held_until_issued counts
//    these launches).
// Where that ordering cannot be built (no stream memory operations on the
// device or driver, the caller's stream is one of the coordinator's own, or
// the current device is not the coordinator's), launch_kernel waits for the
// request instead (synchronous fallback; launch_counters().synchronous, and
// last_launch_message() says why).
// Launches of two tasks on one caller's stream run in that stream's order: a
// critical launch queued behind a normal one on it waits for it (so does one
// on the legacy default stream behind a normal launch on a blocking stream);
// the coordinator then stops holding normal work for that critical launch.
//
// Errors, and what cudaGetLastError() returns after a rewritten launch:
//  - a launch CUDA would reject (grid/block/shared memory out of the kernel's
//    or device's limits, a bad stream) is not submitted: it is launched
//    directly with cudaLaunchKernel, so CUDA itself reports the very error
//    the <<<>>> call would have, to cudaGetLastError() too;
//  - an error pending before the launch stays pending: such a launch also
//    goes directly to CUDA (the coordinator's internal calls could clear it);
//  - an error the coordinator meets after accepting the launch (rare: the
//    configuration was checked; e.g. a device fault) is deferred: the
//    caller's stream is still released (the gate is written on every failure
//    path; later work on it then runs without the kernel's results), and the
//    thread's next launch_kernel returns that error without launching (as
//    CUDA's launches do after an asynchronous error), or launch_synchronize()
//    returns it; either clears it, and last_launch_message() says what
//    failed. cudaGetLastError() does not see it. In the synchronous fallback
//    launch_kernel returns such an error itself. Errors of the kernel's
//    execution are sticky and show up at the next synchronizing call, as
//    without Miriam.
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
  std::uint64_t coordinated = 0;      // accepted by the coordinator (asynchronous + synchronous)
  std::uint64_t asynchronous = 0;     //   returned before completion, ordered by a gate on the caller's stream
  std::uint64_t held_until_issued = 0;  //   of them: returned only once the coordinator issued all of it
  std::uint64_t synchronous = 0;      //   the fallback: returned after completion (why: last_launch_message())
  std::uint64_t direct_fallback = 0;  // task bound but launched directly (why: last_launch_message())
  std::uint64_t failed = 0;           // accepted and failed in the coordinator
  std::uint64_t deferred_errors_reported = 0;  // by a later launch_kernel or launch_synchronize()
};
LaunchCounters launch_counters();

// Waits until the coordinator has finished this thread's asynchronous
// launches (not the GPU work after them on the caller's stream), then
// returns and clears the thread's deferred error: cudaSuccess if none.
// timeout_ms < 0: no limit; cudaErrorTimeout if launches are still pending.
cudaError_t launch_synchronize(int timeout_ms = -1);

// Why this thread's last launch was not coordinated, coordinated
// synchronously, or failed (also a deferred error once reported); empty
// after an asynchronous launch.
const char* last_launch_message();

// Gate slots (a gate word and two events each) of asynchronous launches, all
// devices: created, waiting for their caller's stream, never reusable.
struct LaunchGateUsage {
  std::size_t slots = 0, in_flight = 0, retired = 0;
};
LaunchGateUsage launch_gate_usage();

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
