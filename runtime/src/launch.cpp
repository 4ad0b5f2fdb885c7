// launch_kernel: the thread's current task, and the stream ordering that
// keeps unchanged host code correct when its launches go through the
// coordinator (the contract is in miriam/launch.h).
//
// Asynchronous launches. The coordinator may issue a normal launch later,
// from its dispatcher thread, onto the task's stream; work the caller
// enqueues after the launch must wait for it, yet no CUDA event of it exists
// before it is issued. So each launch takes a gate slot (gate_slots.h): an
// event `ready` recorded on the caller's stream, which the coordinator makes
// the task's stream wait for right before the request's first kernel or
// shard, and a gate word the coordinator writes on the GPU after the last
// one (StreamOrder, coordinator.h), which the caller's stream waits for
// (cuStreamWaitValue32) before anything enqueued after the launch. That wait
// goes in only once the coordinator has issued all of the request
// (Coordinator::wait_issued): a wait on a launch still held on the host
// deadlocks against device-wide synchronization (launch.h). An event
// `passed` recorded after that wait tells when the slot can be reused.
// Where stream memory operations do not work, or the caller's stream is one
// of the coordinator's own (its wait would sit before the gate's write), the
// launch waits for its request on the host instead (synchronous fallback).
#include "miriam/launch.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cuda/stream_gate.h"
#include "gate_slots.h"
#include "launch_ledger.h"
#include "miriam/coordinator.h"

namespace miriam {

namespace {

thread_local CurrentTask t_current;
thread_local std::string t_message;

struct Counters {
  std::atomic<std::uint64_t> direct_unbound{0}, coordinated{0}, direct_fallback{0}, failed{0};
  std::atomic<std::uint64_t> asynchronous{0}, held_until_issued{0}, synchronous{0}, deferred_errors_reported{0};
};
Counters g_counters;

// Synchronous fallback: one event per thread and device, re-recorded for
// every launch (a cudaStreamWaitEvent waits for the record current when it
// was called, and the launch completes before the next one).
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

// --- gate slots of asynchronous launches, per device ---------------------
struct DeviceGates {
  detail::GateSlots slots;
  std::vector<std::uint32_t*> words;  // per slot
  std::vector<cudaEvent_t> ready, passed;
  std::uint32_t* block = nullptr;  // gate words are allocated kWordsPerBlock at a time
  std::size_t block_used = 0;
  cudaStream_t zeroing = nullptr;  // non-blocking: zeroing a block never waits for the caller's work
};
constexpr std::size_t kWordsPerBlock = 256;

std::mutex g_gates_mu;
std::map<int, DeviceGates> g_gates;  // never freed: streams may wait on the words until the process ends

struct GateLease {
  DeviceGates* gates = nullptr;
  std::size_t slot = 0;
  std::uint32_t value = 0;
  std::uint32_t* word = nullptr;
  cudaEvent_t ready = nullptr, passed = nullptr;
};

// The word and events of a new slot (mu held).
cudaError_t create_slot(DeviceGates& g, std::size_t slot) {
  g.words.resize(slot + 1, nullptr);
  g.ready.resize(slot + 1, nullptr);
  g.passed.resize(slot + 1, nullptr);
  cudaError_t err = cudaSuccess;
  if (!g.zeroing) err = cudaStreamCreateWithFlags(&g.zeroing, cudaStreamNonBlocking);
  if (err == cudaSuccess && (!g.block || g.block_used == kWordsPerBlock)) {
    std::uint32_t* block = nullptr;
    err = cudaMalloc(&block, kWordsPerBlock * sizeof(std::uint32_t));
    if (err == cudaSuccess) err = cudaMemsetAsync(block, 0, kWordsPerBlock * sizeof(std::uint32_t), g.zeroing);
    if (err == cudaSuccess) err = cudaStreamSynchronize(g.zeroing);
    if (err == cudaSuccess) g.block = block, g.block_used = 0;
  }
  if (err == cudaSuccess) err = cudaEventCreateWithFlags(&g.ready[slot], cudaEventDisableTiming);
  if (err == cudaSuccess) err = cudaEventCreateWithFlags(&g.passed[slot], cudaEventDisableTiming);
  if (err == cudaSuccess) g.words[slot] = g.block + g.block_used++;
  return err;
}

// A gate slot on `device`, reusing one whose caller's stream went past its wait.
cudaError_t lease_gate(int device, GateLease* out) {
  std::lock_guard<std::mutex> lock(g_gates_mu);
  DeviceGates& g = g_gates[device];
  const detail::GateSlots::Lease lease =
      g.slots.acquire([&](std::size_t slot) { return cudaEventQuery(g.passed[slot]) == cudaSuccess; });
  if (lease.fresh) {
    const cudaError_t err = create_slot(g, lease.slot);
    if (err != cudaSuccess) {
      g.slots.retire(lease.slot);  // half made: never used
      return err;
    }
  }
  *out = GateLease{&g, lease.slot, lease.value, g.words[lease.slot], g.ready[lease.slot], g.passed[lease.slot]};
  return cudaSuccess;
}

void gate_in_flight(const GateLease& l) {
  std::lock_guard<std::mutex> lock(g_gates_mu);
  l.gates->slots.in_flight(l.slot);
}
void gate_give_back(const GateLease& l) {
  std::lock_guard<std::mutex> lock(g_gates_mu);
  l.gates->slots.give_back(l.slot);
}
void gate_retire(const GateLease& l) {
  std::lock_guard<std::mutex> lock(g_gates_mu);
  l.gates->slots.retire(l.slot);
}

// --- the deferred errors of this thread's asynchronous launches -----------
thread_local std::shared_ptr<detail::LaunchLedger> t_ledger;

detail::LaunchLedger& thread_ledger() {
  if (!t_ledger) t_ledger = std::make_shared<detail::LaunchLedger>();
  return *t_ledger;
}

// Runs when the request completes (on the dispatcher or in end_request).
CompletionCallback ledger_callback() {
  return [ledger = t_ledger](RequestId, const RequestResult& result) {
    if (result.launches == 0 || result.status == Status::kSuccess) {  // ran, or never accepted (launched directly)
      ledger->end(nullptr);
      return;
    }
    ++g_counters.failed;
    const detail::LaunchLedger::Error failure{
        result.cuda_error != cudaSuccess ? result.cuda_error : cudaErrorLaunchFailure,
        "the coordinator failed a launch after launch_kernel had returned: " + result.message};
    ledger->end(&failure);
  };
}

// Whether this launch can return before it completes; if not, why.
bool can_be_asynchronous(const Coordinator& coordinator, int device, cudaStream_t stream, std::string* why) {
  if (coordinator.device() != device) {
    *why = "the caller's current device is not the coordinator's";
    return false;
  }
  if (!detail::StreamMemOps::get().usable_on(device, why)) {
    *why = "no stream memory operations: " + *why;
    return false;
  }
  if (coordinator.owns_stream(stream)) {
    *why = "the caller's stream is one of the coordinator's (a wait there would block the launch's own release)";
    return false;
  }
  return true;
}

const char* kExplicitRequestOpen =
    "the task has a request opened through the explicit API; rewritten launches submit one request each";

// Submits the launch as one request ordered within the caller's stream, and
// returns once it is issued, without waiting for it to complete.
cudaError_t launch_async(Coordinator& coordinator, TaskId task, const void* kernel, dim3 grid, dim3 block,
                         std::size_t shared, cudaStream_t stream, void** args, int device) {
  GateLease gate;
  cudaError_t err = lease_gate(device, &gate);
  if (err != cudaSuccess) {
    cudaGetLastError();
    return launch_directly(kernel, grid, block, shared, stream, args,
                           std::string("no gate for the caller's stream: ") + cudaGetErrorString(err));
  }
  if ((err = cudaEventRecord(gate.ready, stream)) != cudaSuccess) {
    cudaGetLastError();
    gate_give_back(gate);
    return launch_directly(kernel, grid, block, shared, stream, args,
                           std::string("ordering after the caller's stream failed: ") + cudaGetErrorString(err));
  }
  detail::LaunchLedger& ledger = thread_ledger();
  ledger.begin();
  RequestId request = 0;
  const Status opened = coordinator.begin_request(task, &request, ledger_callback(),
                                                  StreamOrder{gate.ready, gate.word, gate.value});
  if (opened != Status::kSuccess) {  // the coordinator never saw the gate
    ledger.end(nullptr);
    gate_give_back(gate);
    return launch_directly(kernel, grid, block, shared, stream, args,
                           opened == Status::kErrorRequestOpen ? std::string(kExplicitRequestOpen)
                                                               : std::string("begin_request failed: ") + to_string(opened));
  }
  const Status submitted = coordinator.submit(task, KernelLaunch{kernel, grid, block, shared, args});
  coordinator.end_request(task);  // from here the coordinator writes the gate, whatever happens
  // The gate goes into the caller's stream only once its write is enqueued
  // (see launch.h: a wait on a held launch deadlocks against cudaFree).
  if (submitted == Status::kSuccess && coordinator.wait_issued(request, 0) == Status::kErrorTimeout) {
    ++g_counters.held_until_issued;
    coordinator.wait_issued(request);
  }
  // Later work on the caller's stream waits for the gate.
  err = detail::StreamMemOps::get().wait_geq(stream, gate.word, gate.value);
  if (err == cudaSuccess) err = cudaEventRecord(gate.passed, stream);
  if (err == cudaSuccess) {
    gate_in_flight(gate);
  } else {
    cudaGetLastError();
    gate_retire(gate);  // a write of its value may still come: never reuse it
    ledger.wait_idle(-1);  // cannot order the stream: complete on the host instead
  }
  if (submitted != Status::kSuccess)  // nothing was queued: the launch has not run (after the gate: still in order)
    return launch_directly(kernel, grid, block, shared, stream, args,
                           std::string("the coordinator did not accept it: ") + to_string(submitted));
  ++g_counters.coordinated;
  ++g_counters.asynchronous;
  t_message.clear();
  cudaGetLastError();  // nothing of the caller's was pending; drop what our own calls left
  return cudaSuccess;
}

// Submits the launch as one request and waits for it (the synchronous
// fallback): the task's stream waits for the caller's at submit, which is
// safe here because no earlier launch of this thread is still held.
cudaError_t launch_sync(Coordinator& coordinator, TaskId task, const void* kernel, dim3 grid, dim3 block,
                        std::size_t shared, cudaStream_t stream, void** args, int device, cudaStream_t task_stream,
                        const std::string& why) {
  if (stream != task_stream) {
    cudaEvent_t ready = nullptr;
    cudaError_t err = caller_event(device, &ready);
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
    return launch_directly(kernel, grid, block, shared, stream, args, kExplicitRequestOpen);
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
  ++g_counters.synchronous;
  t_message = "coordinated synchronously (launch_kernel waited for it): " + why;
  cudaGetLastError();  // nothing of the caller's was pending; drop what our own calls left
  return cudaSuccess;
}

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

  const cudaStream_t task_stream = coordinator.stream_of(task);
  if (!task_stream) return launch_directly(kernel, grid, block, shared, stream, args, "unknown task");
  std::string why_synchronous;
  if (can_be_asynchronous(coordinator, device.device, stream, &why_synchronous))
    return launch_async(coordinator, task, kernel, grid, block, shared, stream, args, device.device);
  return launch_sync(coordinator, task, kernel, grid, block, shared, stream, args, device.device, task_stream,
                     why_synchronous);
}

// The first deferred error of this thread, taken (launch.h).
bool take_deferred_error(cudaError_t* code) {
  if (!t_ledger || !t_ledger->has_error()) return false;
  std::optional<detail::LaunchLedger::Error> e = t_ledger->take();
  if (!e) return false;
  ++g_counters.deferred_errors_reported;
  t_message = e->message;
  *code = static_cast<cudaError_t>(e->code);
  return true;
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
  cudaError_t deferred = cudaSuccess;
  if (take_deferred_error(&deferred)) {  // an earlier launch failed after returning: this one does not run
    t_message = "not launched: " + t_message;
    return deferred;
  }
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
  c.asynchronous = g_counters.asynchronous.load();
  c.held_until_issued = g_counters.held_until_issued.load();
  c.synchronous = g_counters.synchronous.load();
  c.deferred_errors_reported = g_counters.deferred_errors_reported.load();
  return c;
}

cudaError_t launch_synchronize(int timeout_ms) {
  if (t_ledger && !t_ledger->wait_idle(timeout_ms)) {
    t_message = "launch_synchronize: launches of this thread still pending in the coordinator after " +
                std::to_string(timeout_ms) + " ms";
    return cudaErrorTimeout;
  }
  cudaError_t deferred = cudaSuccess;
  return take_deferred_error(&deferred) ? deferred : cudaSuccess;
}

LaunchGateUsage launch_gate_usage() {
  std::lock_guard<std::mutex> lock(g_gates_mu);
  LaunchGateUsage u;
  for (const auto& [device, g] : g_gates) {
    u.slots += g.slots.size();
    u.in_flight += g.slots.in_flight_count();
    u.retired += g.slots.retired();
  }
  return u;
}

const char* last_launch_message() { return t_message.c_str(); }

}  // namespace miriam
