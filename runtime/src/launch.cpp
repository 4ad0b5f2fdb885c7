// launch_kernel: the thread's current task, and the stream ordering that
// keeps unchanged host code correct when its launches go through the
// coordinator (the contract is in miriam/launch.h).
//
// Why a coordinated launch completes before launch_kernel returns: the
// coordinator may issue a normal launch later, from its dispatcher thread,
// onto the task's stream. Work the caller enqueues after the launch must
// wait for it, but a CUDA event can only be waited on once it is recorded,
// i.e. once the launch is issued, which this API cannot observe. A GPU-side
// wait inserted into the task's stream at submit time would even deadlock
// against an earlier held launch of the same task. Waiting for the request
// is what the coordinator offers today; an issue-time hook (wait on an event
// before the first shard, release a stream-memory gate after the last) would
// make the launch asynchronous.
#include "miriam/launch.h"

#include <atomic>
#include <string>

#include "miriam/coordinator.h"

namespace miriam {

namespace {

thread_local CurrentTask t_current;
thread_local std::string t_message;

struct Counters {
  std::atomic<std::uint64_t> direct_unbound{0}, coordinated{0}, direct_fallback{0}, failed{0};
};
Counters g_counters;

// One event per thread and device, re-recorded for every launch: a
// cudaStreamWaitEvent waits for the record current when it was called.
struct CallerEvent {
  int device = -1;
  cudaEvent_t event = nullptr;
  ~CallerEvent() {
    if (event) cudaEventDestroy(event);
  }
};
thread_local CallerEvent t_event;

cudaError_t caller_event(int device, cudaEvent_t* out) {
  if (t_event.event && t_event.device != device) {
    cudaEventDestroy(t_event.event);
    t_event.event = nullptr;
  }
  if (!t_event.event) {
    const cudaError_t err = cudaEventCreateWithFlags(&t_event.event, cudaEventDisableTiming);
    if (err != cudaSuccess) return err;
    t_event.device = device;
  }
  *out = t_event.event;
  return cudaSuccess;
}

// Limits CUDA checks at launch. Read for every launch, not cached: a
// program may raise a kernel's dynamic shared memory limit at any time.
struct LaunchLimits {
  int max_threads_per_block = 0;
  int max_dynamic_shared = 0;
  int max_block[3] = {0, 0, 0};
  int max_grid[3] = {0, 0, 0};
};

cudaError_t launch_limits(const void* kernel, int device, LaunchLimits* l) {
  cudaFuncAttributes attrs{};
  cudaError_t err = cudaFuncGetAttributes(&attrs, kernel);
  if (err != cudaSuccess) return err;
  l->max_threads_per_block = attrs.maxThreadsPerBlock;
  l->max_dynamic_shared = attrs.maxDynamicSharedSizeBytes;
  const cudaDeviceAttr block_attr[3] = {cudaDevAttrMaxBlockDimX, cudaDevAttrMaxBlockDimY, cudaDevAttrMaxBlockDimZ};
  const cudaDeviceAttr grid_attr[3] = {cudaDevAttrMaxGridDimX, cudaDevAttrMaxGridDimY, cudaDevAttrMaxGridDimZ};
  for (int d = 0; d < 3; ++d) {
    if ((err = cudaDeviceGetAttribute(&l->max_block[d], block_attr[d], device)) != cudaSuccess) return err;
    if ((err = cudaDeviceGetAttribute(&l->max_grid[d], grid_attr[d], device)) != cudaSuccess) return err;
  }
  return cudaSuccess;
}

// Whether CUDA would accept the configuration; conservative (a launch it
// cannot vouch for goes directly to CUDA, which then decides).
bool configuration_accepted(const void* kernel, int device, dim3 grid, dim3 block, std::size_t shared) {
  LaunchLimits l;
  if (launch_limits(kernel, device, &l) != cudaSuccess) {
    cudaGetLastError();  // our query, not the caller's error
    return false;
  }
  const unsigned g[3] = {grid.x, grid.y, grid.z}, b[3] = {block.x, block.y, block.z};
  unsigned long long threads = 1;
  for (int d = 0; d < 3; ++d) {
    if (g[d] == 0 || b[d] == 0) return false;
    if (g[d] > static_cast<unsigned>(l.max_grid[d]) || b[d] > static_cast<unsigned>(l.max_block[d])) return false;
    threads *= b[d];
  }
  return threads <= static_cast<unsigned long long>(l.max_threads_per_block) &&
         shared <= static_cast<std::size_t>(l.max_dynamic_shared);
}

cudaError_t launch_directly(const void* kernel, dim3 grid, dim3 block, std::size_t shared, cudaStream_t stream,
                            void** args, std::string why) {
  ++g_counters.direct_fallback;
  t_message = "launched directly on the caller's stream, not through the coordinator: " + std::move(why);
  return cudaLaunchKernel(kernel, grid, block, args, shared, stream);
}

// Restores the caller's current device: the coordinator selects its own.
struct DeviceGuard {
  int device = 0;
  bool valid = cudaGetDevice(&device) == cudaSuccess;
  ~DeviceGuard() {
    if (valid) cudaSetDevice(device);
  }
};

cudaError_t launch_for_task(Coordinator& coordinator, TaskId task, const void* kernel, dim3 grid, dim3 block,
                            std::size_t shared, cudaStream_t stream, void** args) {
  if (cudaPeekAtLastError() != cudaSuccess)
    return launch_directly(kernel, grid, block, shared, stream, args,
                           "an earlier CUDA error is still pending (not yet read by cudaGetLastError)");
  DeviceGuard device;
  if (!device.valid) return launch_directly(kernel, grid, block, shared, stream, args, "no current device");
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  if (cudaStreamIsCapturing(stream, &capture) != cudaSuccess) {
    cudaGetLastError();
    return launch_directly(kernel, grid, block, shared, stream, args, "the stream is not valid");
  }
  if (capture != cudaStreamCaptureStatusNone)
    return launch_directly(kernel, grid, block, shared, stream, args,
                           "the stream is being captured into a CUDA graph");
  if (!configuration_accepted(kernel, device.device, grid, block, shared))
    return launch_directly(kernel, grid, block, shared, stream, args,
                           "the launch configuration exceeds the kernel's or device's limits (CUDA reports the error)");

  // Before: the task's stream waits for what the caller enqueued earlier.
  const cudaStream_t task_stream = coordinator.stream_of(task);
  if (!task_stream) return launch_directly(kernel, grid, block, shared, stream, args, "unknown task");
  if (stream != task_stream) {
    cudaEvent_t ready = nullptr;
    cudaError_t err = caller_event(device.device, &ready);
    if (err == cudaSuccess) err = cudaEventRecord(ready, stream);
    if (err == cudaSuccess) err = cudaStreamWaitEvent(task_stream, ready, 0);
    if (err != cudaSuccess) {
      cudaGetLastError();
      return launch_directly(kernel, grid, block, shared, stream, args,
                             std::string("ordering after the caller's stream failed: ") + cudaGetErrorString(err));
    }
  }

  RequestId request = 0;
  const Status opened = coordinator.begin_request(task, &request);
  if (opened == Status::kErrorRequestOpen)
    return launch_directly(kernel, grid, block, shared, stream, args,
                           "the task has a request opened through the explicit API; rewritten launches submit "
                           "one request each");
  if (opened != Status::kSuccess)
    return launch_directly(kernel, grid, block, shared, stream, args,
                           std::string("begin_request failed: ") + to_string(opened));
  const Status submitted = coordinator.submit(task, KernelLaunch{kernel, grid, block, shared, args});
  const Status ended = coordinator.end_request(task);
  RequestResult result;
  const Status waited = ended == Status::kSuccess ? coordinator.wait(request, &result) : ended;
  if (waited != Status::kSuccess && result.status == Status::kSuccess) {
    // The request's outcome is unknown: never report it as a success.
    result.status = waited;
    result.message = std::string("waiting for the request failed: ") + to_string(waited);
  }
  if (submitted != Status::kSuccess)  // nothing was queued: the launch has not run
    return launch_directly(kernel, grid, block, shared, stream, args,
                           std::string("the coordinator did not accept it: ") + to_string(submitted) +
                               (result.message.empty() ? "" : " (" + result.message + ")"));
  if (result.status != Status::kSuccess) {
    ++g_counters.failed;
    t_message = "the coordinator failed the launch: " + result.message;
    return result.cuda_error != cudaSuccess ? result.cuda_error : cudaErrorLaunchFailure;
  }
  ++g_counters.coordinated;
  t_message.clear();
  cudaGetLastError();  // nothing of the caller's was pending; drop what our own calls left
  return cudaSuccess;
}

}  // namespace

TaskScope::TaskScope(Coordinator& coordinator, TaskId task)
    : previous_coordinator_(t_current.coordinator), previous_task_(t_current.task) {
  t_current = CurrentTask{&coordinator, task};
}

TaskScope::~TaskScope() { t_current = CurrentTask{previous_coordinator_, previous_task_}; }

CurrentTask current_task() { return t_current; }

cudaError_t launch_kernel(const void* kernel, dim3 grid, dim3 block, std::size_t shared_bytes, cudaStream_t stream,
                          void** args) {
  if (!t_current.coordinator) {
    ++g_counters.direct_unbound;
    return cudaLaunchKernel(kernel, grid, block, args, shared_bytes, stream);
  }
  return launch_for_task(*t_current.coordinator, t_current.task, kernel, grid, block, shared_bytes, stream, args);
}

LaunchCounters launch_counters() {
  LaunchCounters c;
  c.direct_unbound = g_counters.direct_unbound.load();
  c.coordinated = g_counters.coordinated.load();
  c.direct_fallback = g_counters.direct_fallback.load();
  c.failed = g_counters.failed.load();
  return c;
}

const char* last_launch_message() { return t_message.c_str(); }

}  // namespace miriam
