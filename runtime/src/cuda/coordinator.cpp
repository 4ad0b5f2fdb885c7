// The coordinator: queues per task, a policy's decisions carried out on
// streams, completion tracked by polling each stream's oldest event.
// Critical launches are issued on the submitting thread (no hand-off); the
// dispatcher thread polls completions and re-decides held normal work.
#include "miriam/coordinator.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "cuda_check.h"
#include "kernel_cache.h"
// elastic.cuh's device helpers name blockIdx/gridDim; a host compiler needs their declarations.
#include <device_launch_parameters.h>

#include "miriam/elastic.cuh"

namespace miriam {

using detail::KernelEntry;
using Clock = std::chrono::steady_clock;

namespace {

struct TaskState;
struct RequestState;

// A submitted launch waiting (whole, or for its remaining shards) in its task's queue.
struct LaunchRecord {
  TaskState* task = nullptr;
  RequestState* request = nullptr;
  KernelEntry* kernel = nullptr;
  dim3 grid, block;
  std::size_t shared_bytes = 0;
  const char* label = nullptr;
  std::uint64_t total_blocks = 0, next_block = 0;
  bool held = false;
  KernelFootprint footprint, sliced_footprint;
  const ShardTiming* timing = nullptr;
  alignas(16) unsigned char arg_bytes[detail::kMaxArgBytes];
  void* arg_ptrs[detail::kMaxKernelParams + 1];  // [0]: the Slice of a shard launch
};

// A kernel or shard issued to a stream and not yet seen complete.
struct Issued {
  cudaEvent_t begin = nullptr, end = nullptr;
  TaskState* task = nullptr;
  RequestState* request = nullptr;
  const char* label = nullptr;
  KernelFootprint footprint;
  std::uint64_t first_block = 0, blocks = 0;
  bool shard = false;
};

struct StreamState {
  cudaStream_t stream = nullptr;
  int index = 0;
  bool critical = false;
  std::deque<Issued> in_flight;
};

struct TaskState {
  TaskId id = 0;
  TaskDesc desc;
  StreamState* stream = nullptr;
  std::deque<LaunchRecord*> queue;
  RequestState* open = nullptr;
  int shards_in_flight = 0;
};

struct RequestState {
  RequestId id = 0;
  TaskState* task = nullptr;
  bool ended = false, done = false;
  std::uint32_t queued = 0;       // records not fully issued
  std::uint32_t outstanding = 0;  // issued, not complete
  RequestResult result;
  CompletionCallback callback;
  bool has_gpu_times = false;
};

bool is_critical(const TaskState* t) { return t->desc.criticality == Criticality::kCritical; }

}  // namespace

struct Coordinator::State {
  CoordinatorConfig config;
  const KernelCatalog* catalog;
  const Profile* profile;
  detail::KernelCache kernels;
  GpuModel gpu;
  std::unique_ptr<Policy> policy;
  bool initialized = false;

  mutable std::mutex mu;
  std::condition_variable work_cv;   // dispatcher sleeps here
  std::condition_variable done_cv;   // waiters sleep here
  std::condition_variable record_cv; // submitters wait for a free launch record
  bool stopping = false, dispatcher_sleeping = false;
  std::thread dispatcher;

  int priority_lowest = 0, priority_highest = 0;
  std::deque<StreamState> streams;  // [0]: the shared stream; deque: stable addresses
  std::deque<TaskState> tasks;
  std::unordered_map<RequestId, std::unique_ptr<RequestState>> requests;
  RequestId next_request = 1;
  int critical_requests_active = 0;

  std::vector<LaunchRecord> record_storage;
  std::vector<LaunchRecord*> free_records;
  std::vector<cudaEvent_t> free_events;
  std::vector<cudaEvent_t> all_events;
  cudaEvent_t start_event = nullptr;
  Clock::time_point start_host;

  LaunchContext context;  // reused: its vectors keep their capacity
  std::vector<TraceSpan> spans;
  CoordinatorStats stats;
  std::vector<std::pair<CompletionCallback, std::pair<RequestId, RequestResult>>> callbacks;

  State(CoordinatorConfig c, const KernelCatalog* cat, const Profile* prof)
      : config(std::move(c)), catalog(cat), profile(prof), kernels(cat, prof) {}

  double host_us() const { return std::chrono::duration<double, std::micro>(Clock::now() - start_host).count(); }

  cudaError_t select_device() const { return cudaSetDevice(config.device); }

  cudaError_t create_stream(int priority, cudaStream_t* stream) const {
    if (config.create_stream) return config.create_stream(priority, stream);
    return cudaStreamCreateWithPriority(stream, cudaStreamNonBlocking, priority);
  }

  // --- failures -----------------------------------------------------------
  void fail(RequestState* r, Status status, cudaError_t err, std::string message) {
    if (r->result.status == Status::kSuccess) {
      r->result.status = status;
      r->result.cuda_error = err;
      r->result.message = std::move(message);
    }
  }

  // --- completion ----------------------------------------------------------
  void maybe_complete(RequestState* r) {
    if (r->done || !r->ended || r->queued || r->outstanding) return;
    r->done = true;
    r->result.completed_us = host_us();
    const TaskDesc& desc = r->task->desc;
    if (desc.deadline_us && r->result.completed_us - r->result.release_us > *desc.deadline_us) {
      r->result.deadline_missed = true;
      ++stats.deadline_misses;
    }
    ++stats.requests_completed;
    if (r->result.status != Status::kSuccess) ++stats.requests_failed;
    if (is_critical(r->task)) --critical_requests_active;
    if (r->callback) {
      callbacks.push_back({std::move(r->callback), {r->id, r->result}});
      requests.erase(r->id);
    }
    done_cv.notify_all();
  }

  double event_us(cudaEvent_t e) const {
    float ms = 0;
    return cudaEventElapsedTime(&ms, start_event, e) == cudaSuccess ? ms * 1000.0 : 0.0;
  }

  void release_events(const Issued& i) {
    if (i.begin) free_events.push_back(i.begin);
    free_events.push_back(i.end);
  }

  // Pops what has finished from each stream; in-order streams need only their head checked.
  bool poll_completions() {
    bool any = false;
    for (StreamState& s : streams) {
      while (!s.in_flight.empty()) {
        Issued& i = s.in_flight.front();
        const cudaError_t q = cudaEventQuery(i.end);
        if (q == cudaErrorNotReady) break;
        RequestState* r = i.request;
        if (q != cudaSuccess) {
          cudaGetLastError();
          fail(r, Status::kErrorCuda, q,
               fmt::format("{} ({} blocks from {}) failed on the GPU: {}", i.label, i.blocks, i.first_block,
                           cudaGetErrorString(q)));
        } else if (config.tracing && i.begin) {
          TraceSpan span;
          span.name = i.label;
          span.task = i.task->desc.name;
          span.task_id = i.task->id;
          span.request = r->id;
          span.stream = s.index;
          span.critical = is_critical(i.task);
          span.shard = i.shard;
          span.first_block = i.first_block;
          span.blocks = i.blocks;
          span.begin_us = event_us(i.begin);
          span.end_us = event_us(i.end);
          if (!r->has_gpu_times || span.begin_us < r->result.gpu_begin_us) r->result.gpu_begin_us = span.begin_us;
          r->result.gpu_end_us = std::max(r->result.gpu_end_us, span.end_us);
          r->has_gpu_times = true;
          spans.push_back(std::move(span));
        }
        if (i.shard) --i.task->shards_in_flight;
        release_events(i);
        s.in_flight.pop_front();
        --r->outstanding;
        maybe_complete(r);
        any = true;
      }
    }
    return any;
  }

  // --- issuing -------------------------------------------------------------
  void free_record(LaunchRecord* rec) {
    free_records.push_back(rec);
    record_cv.notify_one();
  }

  // Launches the whole kernel (shard == false) or blocks [first, first+count) of its sliced variant.
  bool issue(LaunchRecord* rec, bool shard, std::uint64_t first, std::uint64_t count) {
    if (free_events.size() < 2) return false;  // back-pressure: wait for completions
    TaskState* t = rec->task;
    StreamState* s = t->stream;
    Issued i;
    i.task = t;
    i.request = rec->request;
    i.label = rec->label;
    i.first_block = first;
    i.blocks = count;
    i.shard = shard;
    i.footprint = shard ? rec->sliced_footprint : rec->footprint;
    i.end = free_events.back(), free_events.pop_back();
    if (config.tracing) {
      i.begin = free_events.back(), free_events.pop_back();
      cudaEventRecord(i.begin, s->stream);
    }
    cudaError_t err;
    if (shard) {
      Slice slice{first, first + count, rec->grid};
      rec->arg_ptrs[0] = &slice;  // copied by cudaLaunchKernel before it returns
      err = cudaLaunchKernel(rec->kernel->sliced, physical_grid_for(count), rec->block, rec->arg_ptrs,
                             rec->shared_bytes, s->stream);
    } else {
      err = cudaLaunchKernel(rec->kernel->original, rec->grid, rec->block, rec->arg_ptrs + 1, rec->shared_bytes,
                             s->stream);
    }
    if (err == cudaSuccess) err = cudaEventRecord(i.end, s->stream);
    if (err != cudaSuccess) {
      cudaGetLastError();  // clear a non-sticky error so other tasks go on
      ++stats.launch_errors;
      fail(rec->request, Status::kErrorCuda, err,
           fmt::format("launching {} ({}) failed: {}", rec->label, shard ? "shard" : "whole grid",
                       cudaGetErrorString(err)));
      release_events(i);
      return true;  // the record is consumed; the request is failed
    }
    if (shard) ++stats.shards_issued, ++t->shards_in_flight, ++rec->request->result.shards;
    else ++stats.kernels_issued;
    ++rec->request->outstanding;
    s->in_flight.push_back(i);
    return true;
  }

  void build_context(const TaskState& t, const LaunchRecord& rec) {
    LaunchContext& c = context;
    c.criticality = t.desc.criticality;
    c.footprint = rec.footprint;
    c.sliced_footprint.reset();
    if (rec.kernel->sliced) c.sliced_footprint = rec.sliced_footprint;
    c.sliced_timing = rec.timing;
    c.blocks_remaining = rec.total_blocks - rec.next_block;
    c.critical_in_flight = critical_requests_active > 0;
    c.own_shards_in_flight = t.shards_in_flight;
    c.critical_running.clear();
    c.normal_running.clear();
    if (!policy->plans_shards()) return;
    for (const StreamState& s : streams) {
      if (s.in_flight.empty()) continue;
      if (s.critical) {
        // The head of a critical stream is what runs now; the rest waits behind it.
        const Issued& head = s.in_flight.front();
        c.critical_running.push_back(KernelLoad{head.footprint, head.blocks});
      } else {
        for (const Issued& i : s.in_flight) c.normal_running.push_back(KernelLoad{i.footprint, i.blocks});
      }
    }
  }

  // Issues what the policy allows from the head of a task's queue.
  void pump(TaskState& t) {
    while (!t.queue.empty()) {
      LaunchRecord* rec = t.queue.front();
      RequestState* r = rec->request;
      if (r->result.status != Status::kSuccess) {  // a failed request's later launches are dropped
        t.queue.pop_front();
        --r->queued;
        free_record(rec);
        maybe_complete(r);
        continue;
      }
      build_context(t, *rec);
      const LaunchDecision d = policy->decide(context);
      if (d.action == LaunchAction::kHold) {
        if (!rec->held) ++stats.holds, rec->held = true;
        return;
      }
      rec->held = false;
      bool issued;
      if (d.action == LaunchAction::kIssueShard && rec->kernel->sliced) {
        const std::uint64_t n = std::min(d.shard.blocks, rec->total_blocks - rec->next_block);
        issued = issue(rec, true, rec->next_block, n);
        if (issued) rec->next_block += n;
      } else {
        issued = issue(rec, false, 0, rec->total_blocks);
        if (issued) rec->next_block = rec->total_blocks;
      }
      if (!issued) return;  // out of events: retry after completions
      if (rec->next_block >= rec->total_blocks || r->result.status != Status::kSuccess) {
        t.queue.pop_front();
        --r->queued;
        free_record(rec);
        maybe_complete(r);
      }
    }
  }

  void pump_all() {
    // Critical tasks first: their launches must never wait behind a normal decision.
    for (TaskState& t : tasks)
      if (is_critical(&t)) pump(t);
    for (TaskState& t : tasks)
      if (!is_critical(&t)) pump(t);
  }

  bool busy() const {
    for (const StreamState& s : streams)
      if (!s.in_flight.empty()) return true;
    for (const TaskState& t : tasks)
      if (!t.queue.empty()) return true;
    return false;
  }

  void run_callbacks(std::unique_lock<std::mutex>& lock) {
    if (callbacks.empty()) return;
    auto pending = std::move(callbacks);
    callbacks.clear();
    lock.unlock();
    for (auto& [cb, result] : pending) cb(result.first, result.second);
    lock.lock();
  }

  void dispatch_loop() {
    select_device();
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      if (poll_completions()) done_cv.notify_all();
      pump_all();
      run_callbacks(lock);
      if (stopping && !busy()) break;
      if (!busy()) {
        dispatcher_sleeping = true;
        work_cv.wait(lock, [&] { return stopping || busy(); });
        dispatcher_sleeping = false;
        continue;
      }
      lock.unlock();
      if (config.poll_interval_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(config.poll_interval_us));
      else std::this_thread::yield();
      lock.lock();
    }
  }

  void wake_dispatcher() {
    if (dispatcher_sleeping) work_cv.notify_one();
  }
};

Coordinator::Coordinator(CoordinatorConfig config, const KernelCatalog* catalog, const Profile* profile)
    : state_(std::make_unique<State>(std::move(config), catalog, profile)) {}

Coordinator::~Coordinator() {
  State& s = *state_;
  if (!s.initialized) return;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.stopping = true;
    // Launches of requests never ended still run; queued records of them are issued by the loop.
    s.work_cv.notify_all();
  }
  s.dispatcher.join();
  s.select_device();
  for (StreamState& st : s.streams) cudaStreamSynchronize(st.stream), cudaStreamDestroy(st.stream);
  for (cudaEvent_t e : s.all_events) cudaEventDestroy(e);
  if (s.start_event) cudaEventDestroy(s.start_event);
}

Status Coordinator::initialize() {
  State& s = *state_;
  std::string error_message;
  if (s.initialized) return Status::kSuccess;
  MIRIAM_CUDA_TRY(s.select_device());
  cudaDeviceProp prop{};
  MIRIAM_CUDA_TRY(cudaGetDeviceProperties(&prop, s.config.device));
  if (s.config.gpu_override) {
    s.gpu = *s.config.gpu_override;
  } else {
    s.gpu.sm_count = prop.multiProcessorCount;
    s.gpu.max_threads_per_sm = prop.maxThreadsPerMultiProcessor;
    s.gpu.max_registers_per_sm = prop.regsPerMultiprocessor;
    s.gpu.max_shared_per_sm = prop.sharedMemPerMultiprocessor;
    s.gpu.max_blocks_per_sm = prop.maxBlocksPerMultiProcessor;
    s.gpu.warp_size = prop.warpSize;
    s.gpu.reserved_shared_per_block = prop.reservedSharedMemPerBlock;
  }
  s.policy = make_policy(s.config.policy, s.gpu, s.config.policy_options);
  MIRIAM_CUDA_TRY(cudaDeviceGetStreamPriorityRange(&s.priority_lowest, &s.priority_highest));

  StreamState& shared = s.streams.emplace_back();
  MIRIAM_CUDA_TRY(s.create_stream(0, &shared.stream));

  const unsigned event_flags = s.config.tracing ? cudaEventDefault : cudaEventDisableTiming;
  const std::size_t event_count = 2 * std::max<std::size_t>(s.config.max_issued_in_flight, 2);
  s.all_events.reserve(event_count);
  for (std::size_t i = 0; i < event_count; ++i) {
    cudaEvent_t e;
    MIRIAM_CUDA_TRY(cudaEventCreateWithFlags(&e, event_flags));
    s.all_events.push_back(e);
  }
  s.free_events = s.all_events;
  s.record_storage.resize(std::max<std::size_t>(s.config.max_launches_queued, 1));
  for (LaunchRecord& r : s.record_storage) s.free_records.push_back(&r);
  s.spans.reserve(1 << 14);

  // The zero of GPU time for the trace.
  MIRIAM_CUDA_TRY(cudaEventCreate(&s.start_event));
  MIRIAM_CUDA_TRY(cudaEventRecord(s.start_event, shared.stream));
  MIRIAM_CUDA_TRY(cudaEventSynchronize(s.start_event));
  s.start_host = Clock::now();

  s.dispatcher = std::thread([&s] { s.dispatch_loop(); });
  s.initialized = true;
  return Status::kSuccess;
}

Status Coordinator::add_task(const TaskDesc& desc, TaskId* id) {
  State& s = *state_;
  if (!s.initialized || !id) return Status::kErrorInvalidArgument;
  std::lock_guard<std::mutex> lock(s.mu);
  std::string error_message;
  MIRIAM_CUDA_TRY(s.select_device());
  TaskState& t = s.tasks.emplace_back();
  t.id = static_cast<TaskId>(s.tasks.size() - 1);
  t.desc = desc;
  const StreamAssignment a = s.policy->stream_for(desc);
  if (a.shared) {
    t.stream = &s.streams.front();
  } else {
    const int prio = a.priority == StreamPriority::kHighest  ? s.priority_highest
                     : a.priority == StreamPriority::kLowest ? s.priority_lowest
                                                             : 0;
    StreamState& st = s.streams.emplace_back();
    st.index = static_cast<int>(s.streams.size() - 1);
    st.critical = desc.criticality == Criticality::kCritical;
    const cudaError_t err = s.create_stream(prio, &st.stream);
    if (err != cudaSuccess) {
      s.streams.pop_back();
      s.tasks.pop_back();
      return Status::kErrorCuda;
    }
    t.stream = &st;
  }
  *id = t.id;
  return Status::kSuccess;
}

Status Coordinator::begin_request(TaskId task, RequestId* id, CompletionCallback on_complete) {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  if (!s.initialized) return Status::kErrorInvalidArgument;
  if (s.stopping) return Status::kErrorShutDown;
  if (task >= s.tasks.size()) return Status::kErrorUnknownTask;
  TaskState& t = s.tasks[task];
  if (t.open) return Status::kErrorRequestOpen;
  auto r = std::make_unique<RequestState>();
  r->id = s.next_request++;
  r->task = &t;
  r->callback = std::move(on_complete);
  r->result.release_us = s.host_us();
  if (is_critical(&t)) ++s.critical_requests_active;
  t.open = r.get();
  if (id) *id = r->id;
  s.requests.emplace(r->id, std::move(r));
  return Status::kSuccess;
}

Status Coordinator::submit(TaskId task, const KernelLaunch& launch) {
  State& s = *state_;
  const Clock::time_point t0 = Clock::now();
  if (!launch.kernel || logical_block_count(launch.grid) == 0 || launch.block.x * launch.block.y * launch.block.z == 0)
    return Status::kErrorInvalidArgument;
  s.select_device();
  std::unique_lock<std::mutex> lock(s.mu);
  if (s.stopping) return Status::kErrorShutDown;
  if (task >= s.tasks.size()) return Status::kErrorUnknownTask;
  TaskState& t = s.tasks[task];
  if (!t.open) {
    lock.unlock();
    const Status st = begin_request(task, nullptr);
    if (st != Status::kSuccess) return st;
    lock.lock();
  }
  RequestState* r = t.open;
  KernelEntry* k = nullptr;
  std::string error_message;
  const Status found = s.kernels.get(launch.kernel, &k, error_message);
  if (found != Status::kSuccess) {
    s.fail(r, found, cudaSuccess, error_message);
    return found;
  }
  if (!k->arg_sizes.empty() && !launch.args) return Status::kErrorInvalidArgument;
  s.record_cv.wait(lock, [&] { return !s.free_records.empty() || s.stopping; });
  if (s.stopping) return Status::kErrorShutDown;
  LaunchRecord* rec = s.free_records.back();
  s.free_records.pop_back();
  rec->task = &t;
  rec->request = r;
  rec->kernel = k;
  rec->grid = launch.grid;
  rec->block = launch.block;
  rec->shared_bytes = launch.shared_bytes;
  rec->label = launch.label ? launch.label : k->label.c_str();
  rec->total_blocks = logical_block_count(launch.grid);
  rec->next_block = 0;
  rec->held = false;
  for (std::size_t i = 0; i < k->arg_sizes.size(); ++i) {
    std::memcpy(rec->arg_bytes + k->arg_offsets[i], launch.args[i], k->arg_sizes[i]);
    rec->arg_ptrs[i + 1] = rec->arg_bytes + k->arg_offsets[i];
  }
  s.kernels.footprints(*k, launch.block, launch.shared_bytes, &rec->footprint, &rec->sliced_footprint, &rec->timing);
  ++r->queued;
  ++r->result.launches;
  ++s.stats.launches_submitted;
  t.queue.push_back(rec);
  s.pump(t);  // critical work goes out now, from this thread
  if (!t.queue.empty() || !t.stream->in_flight.empty()) s.wake_dispatcher();
  s.stats.submit_cpu_us_total += std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  return Status::kSuccess;
}

Status Coordinator::end_request(TaskId task, RequestId* id) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  if (task >= s.tasks.size()) return Status::kErrorUnknownTask;
  TaskState& t = s.tasks[task];
  if (!t.open) return Status::kErrorNoRequestOpen;
  RequestState* r = t.open;
  t.open = nullptr;
  r->ended = true;
  if (id) *id = r->id;
  s.maybe_complete(r);
  s.wake_dispatcher();
  s.run_callbacks(lock);
  return Status::kSuccess;
}

Status Coordinator::wait(RequestId request, RequestResult* result, int timeout_ms) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  auto it = s.requests.find(request);
  if (it == s.requests.end()) return Status::kErrorInvalidArgument;  // unknown, taken, or has a callback
  RequestState* r = it->second.get();
  if (r->callback) return Status::kErrorInvalidArgument;
  auto ready = [&] { return r->done; };
  if (timeout_ms < 0) s.done_cv.wait(lock, ready);
  else if (!s.done_cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), ready)) return Status::kErrorTimeout;
  if (result) *result = r->result;
  const Status status = r->result.status;
  s.requests.erase(it);
  return status;
}

Status Coordinator::synchronize() {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  s.wake_dispatcher();
  s.done_cv.wait(lock, [&] { return !s.busy(); });
  return Status::kSuccess;
}

CoordinatorStats Coordinator::stats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->stats;
}

std::vector<TraceSpan> Coordinator::trace() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->spans;
}

bool Coordinator::write_trace(const std::string& path) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return write_chrome_trace(path, state_->spans, state_->config.device,
                            fmt::format("GPU {} ({})", state_->config.device, state_->policy->name()), &state_->stats);
}

void Coordinator::clear_trace() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->spans.clear();
}

const GpuModel& Coordinator::gpu() const { return state_->gpu; }
const Policy& Coordinator::policy() const { return *state_->policy; }
int Coordinator::device() const { return state_->config.device; }

cudaStream_t Coordinator::stream_of(TaskId task) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return task < state_->tasks.size() ? state_->tasks[task].stream->stream : nullptr;
}

}  // namespace miriam
