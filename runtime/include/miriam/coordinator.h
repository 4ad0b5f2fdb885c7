// The runtime coordinator of one GPU: tasks submit requests (sequences of
// kernel launches); a Policy decides streams, holds and shards; the
// coordinator issues them, tracks completion with CUDA events and records a
// GPU-side trace. One Coordinator per device: it owns its streams, events,
// kernel cache and dispatcher, so coordinators of one process (on one device
// or several) never share state. Under `miriam`, normal kernels with a
// persistent variant run as persistent launches that a critical request
// preempts at a logical-block boundary; the rest of the kernel is resumed
// when room returns.
//
//   miriam::Coordinator coord(config, &catalog, &profile);
//   if (coord.initialize() != Status::kSuccess) ...
//   TaskId t = coord.add_task({"detect", Criticality::kCritical});
//   RequestId r; coord.begin_request(t, &r);
//   void* args[] = {&x, &n};
//   coord.submit(t, KernelLaunch{(const void*)scale, grid, block, 0, args});
//   coord.end_request(t);
//   RequestResult result; coord.wait(r, &result);
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "miriam/gpu_model.h"
#include "miriam/kernel_catalog.h"
#include "miriam/policy.h"
#include "miriam/profile.h"
#include "miriam/status.h"
#include "miriam/task.h"
#include "miriam/trace.h"

namespace miriam {

// One kernel launch as the application would write it with <<<>>>.
struct KernelLaunch {
  const void* kernel = nullptr;  // host stub of the original kernel, e.g. (const void*)&scale
  dim3 grid;
  dim3 block;
  std::size_t shared_bytes = 0;  // dynamic shared memory
  void** args = nullptr;         // as for cudaLaunchKernel; values are copied at submit
  const char* label = nullptr;   // trace name; default: the bound kernel's name or "kernel"
};

struct RequestResult {
  // kErrorCuda: a CUDA error of this request only (e.g. a launch CUDA
  // rejected); the coordinator, other tasks and later requests go on.
  // kErrorContextLost: a sticky error (a device fault, in this or any task):
  // this and every later request fails.
  Status status = Status::kSuccess;
  cudaError_t cuda_error = cudaSuccess;  // the first CUDA error, if any
  std::string message;                   // what failed: CUDA error name, kernel, task
  std::uint32_t launches = 0;
  std::uint32_t shards = 0;
  double release_us = 0;     // host clock, since the coordinator started: begin_request
  double completed_us = 0;   // host clock: when completion was observed
  double gpu_begin_us = 0;   // GPU clock (with tracing): first kernel's start
  double gpu_end_us = 0;     //                           last kernel's end
  bool deadline_missed = false;
};

using CompletionCallback = std::function<void(RequestId, const RequestResult&)>;

// Orders a request within a stream of the caller's, asynchronously (the
// rewritten <<<>>> launches of miriam/launch.h): the stream the coordinator
// issues the request on waits (GPU-side) for `after` right before the
// request's first kernel or shard, and `gate_value` is written to `gate`
// (4 bytes of device memory; stream memory operation) on the GPU right after
// its last one, so a caller's stream waiting for the gate runs on after the
// request. The gate is written on every path: when the request fails or
// drops its launches (as soon as nothing of it is left to issue), and when
// the coordinator is destroyed with the request never ended. `after` must
// stay valid, and not be re-recorded, until the gate is written. Make the
// caller's stream wait for the gate only after wait_issued(): a stream that
// waits for a request still held here blocks any device-wide synchronization
// (cudaFree, cudaDeviceSynchronize), which in turn blocks the CUDA calls this
// coordinator needs to issue it.
struct StreamOrder {
  cudaEvent_t after = nullptr;  // null: no wait
  std::uint32_t* gate = nullptr;
  std::uint32_t gate_value = 0;
};

struct CoordinatorConfig {
  int device = 0;
  PolicyKind policy = PolicyKind::kMiriam;
  PolicyOptions policy_options;
  bool tracing = true;                  // GPU events around every kernel and shard
  // Trace spans kept (the newest; ~200 bytes each): a long run keeps bounded memory.
  std::size_t max_trace_spans = std::size_t{1} << 18;
  std::size_t max_launches_queued = 4096;   // launch records, preallocated
  std::size_t max_issued_in_flight = 4096;  // event pairs, preallocated
  std::optional<GpuModel> gpu_override;     // e.g. the SMs of a green-context partition
  int poll_interval_us = 0;             // dispatcher sleep between polls while busy; 0: yield
  // wait() polls (yielding) for this long before it sleeps on a condition
  // variable: a wake-up costs tens of µs, more than a critical request can
  // afford; cudaStreamSynchronize spins too by default. While it polls, a
  // critical request whose last kernel has ended completes in wait() itself,
  // without waiting for the dispatcher's next round.
  int wait_spin_us = 5000;
  // Creates every stream the coordinator uses (priority as for
  // cudaStreamCreateWithPriority). Unset: cudaStreamCreateWithPriority with
  // cudaStreamNonBlocking. Set it to confine the work, e.g. to the streams of
  // a CUDA green context of N SMs (then also set gpu_override to N SMs).
  std::function<cudaError_t(int priority, cudaStream_t* stream)> create_stream;
  // Critical tasks' streams take distinct CUDA priorities in the order of
  // TaskDesc::priority (higher first; ties share one), all above normal
  // tasks'. false: every critical stream at the device's highest priority.
  bool order_critical_tasks = true;
  // Normal launches' block times are learned per launch in its request (the
  // same layer each request, in a DNN), the shape's estimate standing in
  // until it has a sample (LearnedBlockTime). false: per shape only.
  bool block_time_per_launch = true;
};

class Coordinator {
 public:
  Coordinator(CoordinatorConfig config, const KernelCatalog* catalog = nullptr, const Profile* profile = nullptr);
  ~Coordinator();  // waits for issued work, stops the dispatcher, frees streams and events
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // Selects the device, reads its limits, creates streams, events and the dispatcher.
  Status initialize();

  // Critical tasks are ranked by TaskDesc::priority (CoordinatorConfig::
  // order_critical_tasks): adding one may re-create the streams of idle
  // critical tasks at their new rank. Add every task before the first request,
  // and ask stream_of() after.
  Status add_task(const TaskDesc& task, TaskId* id);

  // Opens a request for `task`. With a callback the result goes to it (from
  // the dispatcher thread) and wait() cannot take it.
  Status begin_request(TaskId task, RequestId* id, CompletionCallback on_complete = {});
  // The same, ordered within a caller's stream (see StreamOrder).
  Status begin_request(TaskId task, RequestId* id, CompletionCallback on_complete, const StreamOrder& order);
  // Appends a launch to the task's open request (opening one if none is).
  Status submit(TaskId task, const KernelLaunch& launch);
  // Closes the open request; it completes when its launches have run.
  Status end_request(TaskId task, RequestId* id = nullptr);
  // Blocks until the request completes; timeout_ms < 0: forever. The
  // completion time in `result` is when the coordinator saw it complete.
  Status wait(RequestId request, RequestResult* result, int timeout_ms = -1);
  // Blocks until nothing of the request is left to issue: every kernel and
  // shard went out (or it failed, or it completed and a callback took it).
  // What it issued then needs only the GPU to finish, not this coordinator.
  Status wait_issued(RequestId request, int timeout_ms = -1);
  // Blocks until everything submitted has completed. kErrorContextLost after
  // a sticky CUDA error (a device fault in any task's kernel): from then on
  // every request fails with that status, and only a new process can use the
  // GPU again (CUDA cannot isolate a device fault within one process).
  Status synchronize();
  // What the last failed initialize()/add_task CUDA call was, or why the
  // context was lost; empty when nothing failed.
  std::string last_error() const;

  CoordinatorStats stats() const;
  std::vector<TraceSpan> trace() const;
  bool write_trace(const std::string& path) const;
  void clear_trace();

  const GpuModel& gpu() const;
  const Policy& policy() const;
  int device() const;
  cudaStream_t stream_of(TaskId task) const;  // for the application's own copies
  bool owns_stream(cudaStream_t stream) const;  // one of the streams it issues on

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace miriam
