// The coordinator: queues per task, a policy's decisions carried out on
// streams, completion tracked by polling each stream's oldest event.
// Critical launches are issued on the submitting thread (no hand-off), after
// any preemption they need; the dispatcher thread polls completions, reads
// where stopped persistent launches got to, and re-decides held normal work.
//
// Submit cost: the mutex is held only for bookkeeping and launches; the
// dispatcher queries events outside it and gives way to waiting API calls;
// the device is set only when the calling thread's current device differs;
// launch records, events and footprints are prepared ahead, so the submit
// path allocates nothing.
#include "miriam/coordinator.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "cuda_check.h"
#include "miriam/arrival_predictor.h"
#include "miriam/block_time.h"
#include "kernel_cache.h"
#include "miriam/cuda_gpu_model.h"
#include "persistent_channel.h"
#include "stream_gate.h"
#include "trace_buffer.h"

namespace miriam {

using detail::KernelEntry;
using detail::LaunchFootprints;
using detail::PersistentChannel;
using Clock = std::chrono::steady_clock;

namespace {

// Makes `device` current for the calling thread only when it is not, and
// restores the caller's device afterwards (cudaGetDevice is a thread-local
// read; cudaSetDevice on every submit was a measurable part of its cost).
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    int current = -1;
    if (cudaGetDevice(&current) != cudaSuccess) cudaGetLastError();
    if (current != device) {
      error_ = cudaSetDevice(device);
      previous_ = current;
    }
  }
  ~DeviceGuard() {
    if (previous_ >= 0) cudaSetDevice(previous_);
  }
  cudaError_t error() const { return error_; }

 private:
  int previous_ = -1;
  cudaError_t error_ = cudaSuccess;
};

struct TaskState;
struct RequestState;

// Launches past this index in a request share one estimate: the map stays
// bounded for requests of endless launches.
constexpr std::uint64_t kMaxLaunchOrdinal = 4096;

// What block times are learned per (LearnedBlockTime): a normal launch shape,
// and with a task, one launch of it (the shape at its place in the task's requests).
struct LaunchShapeKey {
  const KernelEntry* kernel = nullptr;
  unsigned grid[3] = {}, block[3] = {};
  std::size_t shared_bytes = 0;
  const TaskState* task = nullptr;  // null: every launch of the shape
  std::uint32_t ordinal = 0;        // the launch's index in its request (capped), with `task`
  bool operator==(const LaunchShapeKey& o) const {
    return kernel == o.kernel && shared_bytes == o.shared_bytes && std::equal(grid, grid + 3, o.grid) &&
           std::equal(block, block + 3, o.block) && task == o.task && ordinal == o.ordinal;
  }
};

struct LaunchShapeHash {
  std::size_t operator()(const LaunchShapeKey& k) const {
    std::size_t h = std::hash<const void*>()(k.kernel) ^ (k.shared_bytes * 0x9E3779B97F4A7C15ull);
    for (int i = 0; i < 3; ++i) h = h * 1000003u ^ k.grid[i], h = h * 1000003u ^ k.block[i];
    return (h * 1000003u ^ std::hash<const void*>()(k.task)) * 1000003u ^ k.ordinal;
  }
};

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
  double held_since_us = 0;  // host clock: when it was first held since it last went out
  double submitted_us = 0;   // host clock: when submit() was called for it
  double locked_us = 0;      // host clock: when that submit() got the lock
  bool persistent_in_flight = false;  // a persistent launch runs [next_block, total_blocks)
  bool preempted = false;             // the next launch of it is a resume
  LearnedBlockTime block_time;       // normal launches under a planning policy
  std::uint64_t shard_slots = 0;      // slots the planner saw free for the next shard (0: whole GPU)
  LaunchFootprints shape;
  alignas(16) unsigned char arg_bytes[detail::kMaxArgBytes];
  // [0] the PersistentControl* and [1] the Slice of variant launches, then the
  // kernel's own arguments: persistent launches pass arg_ptrs, shards
  // arg_ptrs + 1, whole launches arg_ptrs + 2. Shrunk shards pass arg_ptrs
  // with [0] the Slice and [1] the Shrink.
  void* arg_ptrs[detail::kMaxKernelParams + 2];
};

// A kernel or shard issued to a stream and not yet seen complete.
struct Issued {
  cudaEvent_t begin = nullptr, end = nullptr;
  TaskState* task = nullptr;
  RequestState* request = nullptr;
  const char* label = nullptr;
  KernelFootprint footprint;
  std::uint64_t first_block = 0, blocks = 0;
  std::uint64_t resident_blocks = 0;  // what it holds on the GPU: blocks, or P when persistent
  bool shard = false;
  bool persistent = false;
  LaunchRecord* record = nullptr;     // persistent: the record its unfinished blocks return to
  LearnedBlockTime block_time;              // learns from this launch's GPU time (begin is recorded)
  std::uint64_t concurrent_blocks = 0;      // at most this many of its blocks resident at once
  unsigned shrink_factor = 0;               // a shrunk shard: its blocks ran f logical blocks' threads each
  std::uint64_t seq = 0;                    // issue order, unique: tells a retired head from its successor
  double submitted_host_us = 0;             // host clock: submit() of its launch record
  double locked_host_us = 0;                // host clock: that submit() got the coordinator's lock
  double issued_host_us = 0;                // host clock: its launch calls returned
};

struct StreamState {
  cudaStream_t stream = nullptr;
  int index = 0;
  bool critical = false;
  StreamPriority assigned = StreamPriority::kDefault;  // what the policy asked for
  int cuda_priority = 0;                               // what the stream was created with
  std::deque<Issued> in_flight;
  bool head_awaits_caller = false;  // its head's request still waits for its caller's stream (StreamOrder)
};

struct TaskState {
  TaskId id = 0;
  TaskDesc desc;
  StreamState* stream = nullptr;
  std::deque<LaunchRecord*> queue;
  RequestState* open = nullptr;
  int shards_in_flight = 0;
  // Persistent launches (normal tasks under a policy that issues them).
  std::unique_ptr<PersistentChannel> channel;
  bool persistent_running = false;
  bool stop_requested = false;
  std::uint64_t persistent_blocks = 0;  // P of the running launch
  int persistent_sms = 0;
  bool persistent_beside_critical = false;
  // Critical tasks: the largest kernel seen, the guess for the next request's
  // needs when it arrives (before its kernels are known).
  std::optional<KernelLoad> expected_load;
  ArrivalPredictor arrivals;  // critical tasks: when the next request is due, if periodic
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
  std::atomic<bool> finished{false};  // `done`, readable without the mutex (wait() polls it)
  // Ordered within a caller's stream (StreamOrder; rewritten launches).
  StreamOrder order;
  bool order_waited = false, gate_released = false;
  // Ended, nothing queued: what went out needs only the GPU. Atomic, like
  // last_end (its last issued launch's end event), for wait() to see
  // completion on the GPU without the lock.
  std::atomic<bool> all_issued{false};
  std::atomic<cudaEvent_t> last_end{nullptr};
  bool caller_ready = false;         // `order.after` seen complete
  double awaiting_caller_since_us = 0;
};

bool is_critical(const TaskState* t) { return t->desc.criticality == Criticality::kCritical; }

// Whether this thread's last submit() was for a critical task: its API calls
// spin for the coordinator's lock (State::lock_api).
thread_local bool t_submits_critical_work = false;

// A spin-wait hint: lets the sibling hardware thread run while this one polls.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

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
  bool pump_needed = false;  // work arrived since the dispatcher last decided
  std::thread dispatcher;
  // API calls waiting for `mu`: the dispatcher lets them in first.
  std::atomic<int> api_waiting{0};
  static constexpr int kApiSpinUs = 2000;  // then sleep on the mutex

  int priority_lowest = 0, priority_highest = 0;
  std::deque<StreamState> streams;  // [0]: the shared stream; deque: stable addresses
  // Streams replaced when a task's priority rank changed (add_task), kept until
  // shutdown: a caller may still hold one from stream_of().
  std::vector<cudaStream_t> retired_streams;
  std::deque<TaskState> tasks;
  std::unordered_map<RequestId, std::unique_ptr<RequestState>> requests;
  RequestId next_request = 1;
  int critical_requests_active = 0;
  int critical_awaiting_callers = 0;  // of them: blocked on their callers' streams (StreamOrder)
  double critical_busy_since_us = 0;  // host time the current run of critical requests began
  // The first sticky CUDA error seen (a device fault): from then on every
  // queued, issued and new request fails with kErrorContextLost.
  cudaError_t context_lost = cudaSuccess;
  std::string context_lost_cause;
  std::string last_error;  // initialize()/add_task failures, for Coordinator::last_error()

  std::vector<LaunchRecord> record_storage;
  std::vector<LaunchRecord*> free_records;
  std::vector<cudaEvent_t> free_events;
  // Timed events for the launches whose block times the policy learns, when
  // the others' events are untimed (no tracing): timing costs each critical
  // launch (H200, runtime_overhead: 1.87% added critical latency with every
  // event timed, 0.68% with the two pools).
  std::vector<cudaEvent_t> free_timed_events;
  bool separate_timed_events = false;
  std::vector<cudaEvent_t> all_events;
  cudaEvent_t start_event = nullptr;
  Clock::time_point start_host;

  cudaStream_t stop_stream = nullptr;  // stop-word copies, never behind kernels
  int persistent_runs = 0;             // persistent launches issued and not seen complete

  // Normal launch shapes' measured block times (node-based: records point into it).
  std::unordered_map<LaunchShapeKey, BlockTimeEstimate, LaunchShapeHash> block_times;
  bool due_hold_pending = false;  // a launch waits for a predicted critical request: re-decide every round

  LaunchContext context;  // reused: its vectors keep their capacity
  PreemptionContext preemption;
  std::vector<TaskState*> preemption_tasks;
  std::vector<std::size_t> to_stop;
  struct Head {
    StreamState* stream;
    cudaEvent_t end;
    std::uint64_t seq;
  };
  std::vector<Head> heads;  // dispatcher: stream heads to query
  std::uint64_t next_issue_seq = 1;
  std::vector<cudaError_t> head_status;
  detail::TraceBuffer spans;  // bounded; appending never moves earlier spans
  CoordinatorStats stats;
  std::vector<std::pair<CompletionCallback, std::pair<RequestId, RequestResult>>> callbacks;

  State(CoordinatorConfig c, const KernelCatalog* cat, const Profile* prof)
      : config(std::move(c)), catalog(cat), profile(prof), kernels(cat, prof) {
    spans = detail::TraceBuffer(config.max_trace_spans);
  }

  double host_us() const { return std::chrono::duration<double, std::micro>(Clock::now() - start_host).count(); }

  cudaError_t select_device() const { return cudaSetDevice(config.device); }

  // Locks `mu` for an API call, ahead of the dispatcher. A thread that last
  // submitted critical work spins on try_lock before it sleeps: a thread
  // submitting a burst of launches (an LSTM request, 130 of them) holds `mu`
  // for ~6 us per launch and re-takes it within ~2 us, sooner than a sleeping
  // waiter wakes, so another task's critical launch slept through the whole
  // burst (up to 1.3 ms from submit() to the lock in two_critical traces,
  // session 6). Others sleep at once: spinning waiters keep the dispatcher
  // out (relock), and normal work's launches can wait.
  std::unique_lock<std::mutex> lock_api() {
    std::unique_lock<std::mutex> lock(mu, std::try_to_lock);
    if (lock.owns_lock()) return lock;
    api_waiting.fetch_add(1, std::memory_order_relaxed);
    if (!t_submits_critical_work) {
      lock.lock();
      api_waiting.fetch_sub(1, std::memory_order_relaxed);
      return lock;
    }
    const Clock::time_point give_up = Clock::now() + std::chrono::microseconds(kApiSpinUs);
    do {
      for (int i = 0; i < 64 && !lock.try_lock(); ++i) cpu_relax();
    } while (!lock.owns_lock() && Clock::now() < give_up);
    if (!lock.owns_lock()) lock.lock();
    api_waiting.fetch_sub(1, std::memory_order_relaxed);
    return lock;
  }

  cudaError_t create_stream(int priority, cudaStream_t* stream) const {
    if (config.create_stream) return config.create_stream(priority, stream);
    return cudaStreamCreateWithPriority(stream, cudaStreamNonBlocking, priority);
  }

  // --- stream priorities ---------------------------------------------------
  // The CUDA priority `t`'s own stream should have now (cuda_stream_priority:
  // critical tasks ranked by TaskDesc::priority among those added so far).
  int ranked_priority(const TaskState& t) const {
    std::vector<int> ranked;
    for (const TaskState& other : tasks)
      if (other.stream && other.stream != &streams.front() && other.stream->assigned == StreamPriority::kHighest)
        ranked.push_back(other.desc.priority);
    return cuda_stream_priority(t.stream->assigned, t.desc.priority, ranked, priority_lowest, priority_highest,
                                config.order_critical_tasks);
  }

  // A task added later may change the ranks of those added before: their
  // streams are re-created at the new priority while they hold no work (a
  // stream's priority is fixed at creation). One with work keeps its stream;
  // add every critical task before the first request to have them all ranked.
  void rerank_idle_streams() {
    for (TaskState& t : tasks) {
      if (!t.stream || t.stream == &streams.front()) continue;
      StreamState& st = *t.stream;
      const int wanted = ranked_priority(t);
      if (wanted == st.cuda_priority || t.open || !t.queue.empty() || !st.in_flight.empty()) continue;
      cudaStream_t fresh = nullptr;
      if (create_stream(wanted, &fresh) != cudaSuccess) {
        cudaGetLastError();
        continue;  // keeps working at its old priority
      }
      retired_streams.push_back(st.stream);
      st.stream = fresh;
      st.cuda_priority = wanted;
    }
  }

  // --- failures -----------------------------------------------------------
  void fail(RequestState* r, Status status, cudaError_t err, std::string message) {
    if (r->result.status == Status::kSuccess) {
      r->result.status = status;
      r->result.cuda_error = err;
      r->result.message = std::move(message);
    }
  }

  // A CUDA call for `r` failed: the request reports the error's name, what
  // failed and the task. A sticky error also marks the context lost, which
  // fails every other request as it comes up (pump, poll_heads, submit).
  void fail_cuda(RequestState* r, cudaError_t err, const std::string& what) {
    cudaGetLastError();  // clears a non-sticky error, so other tasks go on
    const bool lost = detail::is_context_lost(err);
    if (lost && context_lost == cudaSuccess) {
      context_lost = err;
      context_lost_cause = fmt::format("{} of task '{}'", what, r->task->desc.name);
      pump_needed = true;  // held launches of every task fail now, not at their next decision
    }
    fail(r, lost ? Status::kErrorContextLost : Status::kErrorCuda, err,
         detail::request_failure_text(err, what, r->task->desc.name));
  }

  // After the context is lost: `r` fails for that reason, naming what caused it.
  void fail_context_lost(RequestState* r) {
    fail(r, Status::kErrorContextLost, context_lost,
         fmt::format("not run: the CUDA context was lost ({}) when {} failed; every request of every task in this "
                     "process fails from now on; restart the process to use the GPU again",
                     cudaGetErrorName(context_lost), context_lost_cause));
  }

  // --- completion ----------------------------------------------------------
  void maybe_complete(RequestState* r) {
    if (r->ended && !r->queued && !r->all_issued) {  // nothing left to issue: right after its last kernel
      r->all_issued.store(true, std::memory_order_release);
      release_gate(r);
      done_cv.notify_all();  // wait_issued
    }
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
    r->finished.store(true, std::memory_order_release);
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

  std::vector<cudaEvent_t>& events_for(const LearnedBlockTime& learns) {
    return separate_timed_events && learns ? free_timed_events : free_events;
  }

  void release_events(const Issued& i) {
    std::vector<cudaEvent_t>& pool = events_for(i.block_time);
    if (i.begin) pool.push_back(i.begin);
    pool.push_back(i.end);
  }

  // Retires the head of `s`, which the GPU reported finished with `q`.
  void retire_head(StreamState& s, cudaError_t q) {
    Issued& i = s.in_flight.front();
    RequestState* r = i.request;
    std::uint64_t blocks_done = i.blocks;
    if (q != cudaSuccess) {
      // A sticky error reaches every stream's events, not only the faulting
      // kernel's: CUDA does not say which kernel faulted.
      fail_cuda(r, q, fmt::format("kernel {} ({} blocks from {}{}) on the GPU", i.label, i.blocks, i.first_block,
                                  i.persistent ? ", persistent" : i.shard ? ", shard" : ""));
    }
    const bool stop_asked = i.persistent && i.task->stop_requested;
    if (i.persistent) blocks_done = retire_persistent(i, q == cudaSuccess);
    if (q == cudaSuccess && i.block_time && i.begin) {
      float ms = 0;
      if (cudaEventElapsedTime(&ms, i.begin, i.end) == cudaSuccess)
        i.block_time.observe(ms * 1000.0 / std::max(1u, i.shrink_factor), blocks_done, i.concurrent_blocks);
    }
    if (q == cudaSuccess && config.tracing && i.begin) {
      TraceSpan span;
      span.name = i.label;
      span.task = i.task->desc.name;
      span.task_id = i.task->id;
      span.request = r->id;
      span.stream = s.index;
      span.critical = is_critical(i.task);
      span.shard = i.shard;
      span.shrink_factor = i.shrink_factor;
      span.persistent = i.persistent;
      span.physical_blocks = i.persistent ? i.resident_blocks : 0;
      span.blocks_done = blocks_done;
      span.first_block = i.first_block;
      span.blocks = i.blocks;
      span.begin_us = event_us(i.begin);
      span.end_us = event_us(i.end);
      span.submitted_us = i.submitted_host_us;
      span.locked_us = i.locked_host_us;
      span.issued_us = i.issued_host_us;
      if (stop_asked) {
        span.stop_us = event_us(i.task->channel->stop_event());
        if (blocks_done < i.blocks) {  // stopped early: the drain is a preemption latency
          const double drain = std::max(0.0, span.end_us - span.stop_us);
          stats.drain_us_total += drain;
          stats.drain_us_max = std::max(stats.drain_us_max, drain);
        }
      }
      if (!r->has_gpu_times || span.begin_us < r->result.gpu_begin_us) r->result.gpu_begin_us = span.begin_us;
      r->result.gpu_end_us = std::max(r->result.gpu_end_us, span.end_us);
      r->has_gpu_times = true;
      spans.push(std::move(span));
      stats.trace_spans_dropped = spans.dropped();
    }
    if (i.shard) --i.task->shards_in_flight;
    release_events(i);
    s.in_flight.pop_front();
    --r->outstanding;
    maybe_complete(r);
  }

  // A persistent launch ended (finished, or stopped at a logical-block
  // boundary): the record resumes from its progress, or is done. Returns the
  // logical blocks it ran.
  std::uint64_t retire_persistent(const Issued& i, bool ok) {
    TaskState* t = i.task;
    LaunchRecord* rec = i.record;
    --persistent_runs;
    t->persistent_running = false;
    t->stop_requested = false;
    rec->persistent_in_flight = false;
    if (!ok) return 0;  // the request failed; pump drops the record
    const std::uint64_t end = i.first_block + i.blocks;
    const std::uint64_t progress = t->channel->progress();  // the launch `i` was its last prepared
    rec->next_block = progress;
    if (progress < end) {
      ++stats.preemptions;
      rec->preempted = true;
    } else {
      // Done: the record is its task's queue head (held there while it ran).
      t->queue.pop_front();
      --rec->request->queued;
      free_record(rec);
    }
    return progress - i.first_block;
  }

  // Retires what has finished. In-order streams need only their head
  // queried; the queries run without `mu`, so API calls never wait behind
  // them. Only the dispatcher pops in_flight, so a head seen here is still
  // the head when `mu` is taken again.
  bool poll_heads(std::unique_lock<std::mutex>& lock) {
    heads.clear();
    for (StreamState& s : streams)
      if (!s.in_flight.empty()) heads.push_back(Head{&s, s.in_flight.front().end, s.in_flight.front().seq});
    if (heads.empty()) return false;
    lock.unlock();
    head_status.resize(heads.size());
    for (std::size_t k = 0; k < heads.size(); ++k) head_status[k] = cudaEventQuery(heads[k].end);
    relock(lock);
    bool any = false;
    for (std::size_t k = 0; k < heads.size(); ++k) {
      if (head_status[k] == cudaErrorNotReady) continue;
      StreamState& s = *heads[k].stream;
      // A waiter may have retired it meanwhile (retire_request_launches).
      if (s.in_flight.empty() || s.in_flight.front().seq != heads[k].seq) continue;
      retire_head(s, head_status[k]);
      any = true;
    }
    return any;
  }

  // From wait(), whose request's last launch ended on the GPU: retires its
  // stream's launches up to that one, so it completes without waiting for the
  // dispatcher's next round (a busy dispatcher saw completions ~1 ms late in
  // two_critical, session 6). Stream order: all before it ended too.
  bool retire_request_launches(RequestState& r) {
    StreamState& st = *r.task->stream;
    const cudaEvent_t last = r.last_end.load(std::memory_order_acquire);
    std::size_t n = 0;
    while (n < st.in_flight.size() && st.in_flight[n].end != last) ++n;
    if (n == st.in_flight.size()) return false;  // retired already
    // Asked again under the lock: `last` is recorded for this launch still.
    if (cudaEventQuery(last) != cudaSuccess) {
      cudaGetLastError();
      return false;
    }
    for (std::size_t k = 0; k <= n; ++k) retire_head(st, cudaSuccess);
    pump_needed = true;  // completions change decisions
    return true;
  }

  // The dispatcher takes `mu` only when no API call waits for it.
  void relock(std::unique_lock<std::mutex>& lock) {
    while (api_waiting.load(std::memory_order_relaxed) > 0) std::this_thread::yield();
    lock.lock();
  }

  // --- issuing -------------------------------------------------------------
  void free_record(LaunchRecord* rec) {
    free_records.push_back(rec);
    record_cv.notify_one();
  }

  // Takes the event pair of a launch on `s` (the begin event only when
  // tracing, or to learn the block time of a normal launch) and records the
  // begin event; its error fails the launch.
  cudaError_t begin_issue(Issued& i, StreamState* s) {
    std::vector<cudaEvent_t>& pool = events_for(i.block_time);
    i.end = pool.back(), pool.pop_back();
    if (const cudaError_t err = wait_for_caller(*i.request, s->stream)) return err;
    if (!config.tracing && !i.block_time) return cudaSuccess;
    i.begin = pool.back(), pool.pop_back();
    return cudaEventRecord(i.begin, s->stream);
  }

  // --- ordering within a caller's stream (StreamOrder) ---------------------
  // Before the request's first kernel or shard goes out: its stream waits
  // for the caller's earlier work. Not at submit: a wait in the task's stream
  // then could deadlock against an earlier held launch of the same task.
  cudaError_t wait_for_caller(RequestState& r, cudaStream_t stream) {
    if (!r.order.after || r.order_waited) return cudaSuccess;
    r.order_waited = true;
    return cudaStreamWaitEvent(stream, r.order.after, 0);
  }

  // Nothing of `r` is left to issue (it all went out, or it failed and
  // dropped the rest, or the coordinator ends): lets the caller's stream go
  // on after what was issued. Never skipped: a gate left unwritten hangs the
  // caller's stream forever. If the task's stream refuses the write, the
  // stop stream releases it at once (early, but the request reports it).
  void release_gate(RequestState* r) {
    if (!r->order.gate || r->gate_released) return;
    r->gate_released = true;
    const DeviceGuard device(config.device);
    const detail::StreamMemOps& ops = detail::StreamMemOps::get();
    cudaError_t err = ops.write(r->task->stream->stream, r->order.gate, r->order.gate_value);
    if (err == cudaSuccess) return;
    const cudaError_t late = ops.write(stop_stream, r->order.gate, r->order.gate_value);
    fail_cuda(r, err, late == cudaSuccess ? "releasing the caller's stream after the request (released early instead)"
                                          : "releasing the caller's stream after the request");
  }

  // A critical request whose caller's stream has not reached its `after`
  // event is not running, and the caller's stream may itself wait for a
  // normal request's gate (one stream shared by both tasks, or the legacy
  // default stream, which waits for every blocking stream). Holding normal
  // work for such a request would deadlock: past a grace period, holds
  // ignore critical requests blocked at the head of their stream, and what
  // is queued behind them. The grace keeps the usual case (the next launch
  // waits for the caller's previous one, just finishing) a hold.
  static constexpr double kAwaitingCallerGraceUs = 200;

  bool awaits_caller(RequestState& r, double now) {
    if (!r.order.after || r.caller_ready) return false;
    if (cudaEventQuery(r.order.after) != cudaErrorNotReady) {  // an error: the request fails elsewhere
      cudaGetLastError();
      r.caller_ready = true;
      return false;
    }
    if (r.awaiting_caller_since_us == 0) r.awaiting_caller_since_us = now;
    return now - r.awaiting_caller_since_us > kAwaitingCallerGraceUs;
  }

  // Dispatcher, every round: which critical streams' heads wait for their callers.
  void find_critical_awaiting_callers() {
    int awaiting = 0;
    const double now = host_us();
    for (StreamState& st : streams) {
      st.head_awaits_caller = st.critical && !st.in_flight.empty() && awaits_caller(*st.in_flight.front().request, now);
      if (!st.head_awaits_caller) continue;
      const RequestState* last = nullptr;
      for (const Issued& i : st.in_flight)
        if (i.request != last) ++awaiting, last = i.request;
    }
    if (awaiting != critical_awaiting_callers) pump_needed = true;
    critical_awaiting_callers = awaiting;
  }
  // --- end of ordering within a caller's stream ----------------------------

  // After the launch calls: the end event, or the failure of the request.
  // Returns whether it went out.
  bool finish_issue(LaunchRecord* rec, Issued& i, cudaError_t err, const char* what) {
    StreamState* s = rec->task->stream;
    if (err == cudaSuccess) err = cudaEventRecord(i.end, s->stream);
    if (err != cudaSuccess) {
      ++stats.launch_errors;
      fail_cuda(rec->request, err,
                fmt::format("launch of kernel {} ({}, grid {}x{}x{}, block {}x{}x{}, {} B dynamic shared memory)",
                            rec->label, what, rec->grid.x, rec->grid.y, rec->grid.z, rec->block.x, rec->block.y,
                            rec->block.z, rec->shared_bytes));
      release_events(i);
      return false;
    }
    if (rec->preempted) ++stats.resumes, rec->preempted = false;
    ++rec->request->outstanding;
    i.seq = next_issue_seq++;
    rec->request->last_end.store(i.end, std::memory_order_release);
    i.submitted_host_us = rec->submitted_us;
    i.locked_host_us = rec->locked_us;
    i.issued_host_us = host_us();
    s->in_flight.push_back(i);
    return true;
  }

  // Launches the whole kernel (shard == false) or blocks [first, first+count)
  // of its sliced variant (shrunk variant at `shrink_factor` when > 0).
  // False: out of events (retry after completions); a failed launch consumes
  // the record and fails its request.
  bool issue(LaunchRecord* rec, bool shard, std::uint64_t first, std::uint64_t count, unsigned shrink_factor = 0) {
    // Back-pressure: out of events, wait for completions.
    if (events_for(shard ? rec->block_time : LearnedBlockTime()).size() < 2) return false;
    TaskState* t = rec->task;
    StreamState* s = t->stream;
    Issued i;
    i.task = t;
    i.request = rec->request;
    i.label = rec->label;
    i.first_block = first;
    i.blocks = i.resident_blocks = count;
    i.shard = shard;
    i.footprint = shard ? rec->shape.sliced : rec->shape.original;
    // --- shrunk shards (blocks of block / f threads) ---
    const ShrunkOption* shrunk = shard && shrink_factor ? rec->shape.shrunk.find(shrink_factor) : nullptr;
    if (shrunk) i.footprint = shrunk->footprint, i.shrink_factor = shrink_factor;
    if (shard && rec->block_time) {
      i.block_time = rec->block_time;
      // At least one block per SM, as the launch itself (an unmodelled footprint still runs).
      const std::uint64_t full = std::max(gpu_slots(gpu, i.footprint), static_cast<std::uint64_t>(gpu.sm_count));
      i.concurrent_blocks = std::min(count, rec->shard_slots ? rec->shard_slots : full);
    }
    cudaError_t err = begin_issue(i, s);
    if (err != cudaSuccess) {
      // the launch is not attempted; finish_issue fails the request
    } else if (shrunk) {
      Slice slice{first, first + count, rec->grid};
      Shrink shrink{rec->block, shrink_factor};
      rec->arg_ptrs[0] = &slice;  // both copied by cudaLaunchKernel before it returns
      rec->arg_ptrs[1] = &shrink;
      err = cudaLaunchKernel(rec->kernel->shrunk, physical_grid_for(count),
                             shrunk_physical_block(rec->block, shrink_factor), rec->arg_ptrs, rec->shared_bytes,
                             s->stream);
    } else if (shard) {
      Slice slice{first, first + count, rec->grid};
      rec->arg_ptrs[1] = &slice;  // copied by cudaLaunchKernel before it returns
      err = cudaLaunchKernel(rec->kernel->sliced, physical_grid_for(count), rec->block, rec->arg_ptrs + 1,
                             rec->shared_bytes, s->stream);
    } else {
      err = cudaLaunchKernel(rec->kernel->original, rec->grid, rec->block, rec->arg_ptrs + 2, rec->shared_bytes,
                             s->stream);
    }
    if (finish_issue(rec, i, err, shard ? "shard" : "whole grid")) {
      if (shard) ++stats.shards_issued, ++t->shards_in_flight, ++rec->request->result.shards;
      else ++stats.kernels_issued;
      if (shrunk) ++stats.shards_shrunk;
    }
    return true;
  }

  // Launches the record's remaining logical blocks on `sizing.physical_blocks`
  // blocks of its persistent variant. The record stays its task's queue head
  // until the launch ends (retire_persistent). Same return as issue().
  bool issue_persistent(LaunchRecord* rec, const PersistentSizing& sizing) {
    if (events_for(rec->block_time).size() < 2) return false;
    TaskState* t = rec->task;
    StreamState* s = t->stream;
    PersistentLaunch l;
    l.grid = rec->grid;
    l.block = rec->block;
    l.shared_bytes = rec->shared_bytes;
    l.stream = s->stream;
    l.begin = rec->next_block;
    l.end = rec->total_blocks;
    l.physical_blocks = static_cast<unsigned>(std::min<std::uint64_t>(sizing.physical_blocks, kMaxPersistentBlocks));
    l.chunk = sizing.chunk;
    l.static_first_chunk = sizing.static_first_chunk;
    l.control = t->channel->device_control();
    // One static logical block per physical block: it could not stop anyway,
    // so it runs without the persistent loop's cost: by the original kernel
    // when it covers the whole grid (then it is the original launch), else by
    // the sliced variant.
    const bool as_original = l.one_block_each() && l.whole_grid();
    const bool loop_free = as_original || (l.one_block_each() && rec->kernel->sliced != nullptr);
    Issued i;
    i.task = t;
    i.request = rec->request;
    i.label = rec->label;
    i.first_block = l.begin;
    i.blocks = l.end - l.begin;
    i.resident_blocks = i.concurrent_blocks = loop_free ? i.blocks : l.physical_blocks;
    i.persistent = true;
    i.record = rec;
    i.footprint = as_original ? rec->shape.original : loop_free ? rec->shape.sliced : rec->shape.persistent;
    i.block_time = rec->block_time;
    cudaError_t err = begin_issue(i, s);
    if (err == cudaSuccess) err = l.valid() ? t->channel->prepare(l) : cudaErrorInvalidValue;
    if (err == cudaSuccess) {
      PersistentControl* control = l.control;
      Slice slice = l.slice();
      rec->arg_ptrs[0] = &control;  // both copied by cudaLaunchKernel before it returns
      rec->arg_ptrs[1] = &slice;
      if (as_original)
        err = cudaLaunchKernel(rec->kernel->original, rec->grid, l.block, rec->arg_ptrs + 2, l.shared_bytes,
                               s->stream);
      else if (loop_free)
        err = cudaLaunchKernel(rec->kernel->sliced, physical_grid_for(i.blocks), l.block, rec->arg_ptrs + 1,
                               l.shared_bytes, s->stream);
      else
        err = cudaLaunchKernel(rec->kernel->persistent, l.physical_grid(), l.block, rec->arg_ptrs, l.shared_bytes,
                               s->stream);
    }
    if (err == cudaSuccess) err = t->channel->after_launch(s->stream);
    if (finish_issue(rec, i, err, "persistent")) {
      rec->persistent_in_flight = true;
      t->persistent_running = true;
      t->stop_requested = false;
      t->persistent_blocks = l.physical_blocks;
      t->persistent_sms = sizing.sms;
      t->persistent_beside_critical = sizing.reason == PersistentReason::kIdleSms;
      ++persistent_runs;
      ++stats.persistent_launches;
      if (loop_free) ++stats.persistent_loop_free;
      if (as_original) ++stats.persistent_original;
    }
    return true;
  }

  // A critical kernel (or request: `arriving` unknown) is about to go out:
  // stop the persistent launches the policy finds in its way. The stop word
  // goes by copy engine on the stop stream, so it does not queue behind the
  // resident blocks it stops; the critical launch follows on its own stream.
  void preempt_for(const std::optional<KernelLoad>& arriving) {
    if (persistent_runs == 0) return;
    PreemptionContext& c = preemption;
    c.arriving = arriving;
    c.critical_running.clear();
    c.persistent_running.clear();
    preemption_tasks.clear();
    for (const StreamState& s : streams)
      if (s.critical && !s.in_flight.empty())
        c.critical_running.push_back(KernelLoad{s.in_flight.front().footprint, s.in_flight.front().resident_blocks});
    for (TaskState& t : tasks) {
      if (!t.persistent_running) continue;
      c.persistent_running.push_back(run_of(t));
      preemption_tasks.push_back(&t);
    }
    to_stop.clear();
    policy->choose_preemptions(c, &to_stop);
    for (std::size_t k : to_stop)
      if (request_stop(*preemption_tasks[k])) ++stats.preemptions_requested;
  }

  static PersistentRun run_of(const TaskState& t) {
    return PersistentRun{t.persistent_blocks, t.persistent_sms, t.stop_requested, t.persistent_beside_critical};
  }

  // Sends the stop word to `t`'s running persistent launch. False when it was
  // already stopping or the request failed (the launch then just runs on:
  // late, never wrong).
  bool request_stop(TaskState& t) {
    if (t.stop_requested) return false;
    if (t.channel->request_stop(stop_stream) != cudaSuccess) {
      cudaGetLastError();
      ++stats.stop_request_errors;
      return false;
    }
    t.stop_requested = true;
    return true;
  }

  // No critical request in flight any more: runs sized beside critical work
  // stop, and pump relaunches what they leave on the whole GPU.
  void regrow_persistent() {
    if (persistent_runs == 0 || critical_requests_active > 0) return;
    for (TaskState& t : tasks)
      if (t.persistent_running && policy->should_regrow(run_of(t), false) && request_stop(t)) ++stats.regrows;
  }

  // Opens a request on `t` (mu held). A critical request's arrival is the
  // earliest moment to stop persistent normal work in its way: the drain then
  // overlaps the submission of its kernels (measurements.md #4).
  Status open_request(TaskState& t, RequestId* id, CompletionCallback on_complete) {
    if (t.open) return Status::kErrorRequestOpen;
    auto r = std::make_unique<RequestState>();
    r->id = next_request++;
    r->task = &t;
    r->callback = std::move(on_complete);
    r->result.release_us = host_us();
    if (is_critical(&t)) {
      if (critical_requests_active++ == 0) critical_busy_since_us = r->result.release_us;
      t.arrivals.observe(r->result.release_us);
      if (persistent_runs > 0) {
        const DeviceGuard device(config.device);
        preempt_for(t.expected_load);
      }
    }
    t.open = r.get();
    if (id) *id = r->id;
    requests.emplace(r->id, std::move(r));
    return Status::kSuccess;
  }

  void build_context(const TaskState& t, const LaunchRecord& rec) {
    LaunchContext& c = context;
    c.criticality = t.desc.criticality;
    c.blocks_remaining = rec.total_blocks - rec.next_block;
    c.critical_in_flight = critical_requests_active > critical_awaiting_callers;
    c.critical_running.clear();
    c.normal_running.clear();
    if (is_critical(&t)) return;  // critical launches go out whole: nothing more to plan
    // Held counts toward the starvation bound only while critical requests
    // follow each other without a gap: in a gap, normal work had its turn.
    const double now = host_us();
    c.held_total_us = rec.held ? now - rec.held_since_us : 0;
    c.held_us = c.held_total_us;
    if (critical_requests_active > 0) c.held_us = std::min(c.held_us, now - critical_busy_since_us);
    c.footprint = rec.shape.original;
    c.sliced_footprint.reset();
    if (rec.kernel->sliced) c.sliced_footprint = rec.shape.sliced;
    c.sliced_timing = rec.shape.sliced_timing;
    c.persistent_footprint.reset();
    if (rec.kernel->persistent && t.channel) c.persistent_footprint = rec.shape.persistent;
    c.persistent_timing = rec.shape.persistent_timing;
    c.shrunk = ShrunkOptions{};  // the factors this block's shape allows
    for (std::size_t k = 0; k < rec.shape.shrunk.count; ++k) {
      const ShrunkOption& o = rec.shape.shrunk.options[k];
      if (shrink_factor_valid(rec.block, o.factor, rec.kernel->shrink_max_factor)) c.shrunk.add(o.factor, o.footprint);
    }
    c.own_shards_in_flight = t.shards_in_flight;
    c.observed_block_us = rec.block_time.block_us();
    c.us_until_critical_due = us_until_critical_due(now);
    if (!policy->plans_shards()) return;
    for (const StreamState& s : streams) {
      if (s.in_flight.empty()) continue;
      if (s.critical) {
        if (s.head_awaits_caller) continue;  // not running: it waits for its caller's stream
        // The head of a critical stream is what runs now; the rest waits behind it.
        const Issued& head = s.in_flight.front();
        c.critical_running.push_back(KernelLoad{head.footprint, head.resident_blocks});
      } else {
        for (const Issued& i : s.in_flight) c.normal_running.push_back(KernelLoad{i.footprint, i.resident_blocks});
      }
    }
  }

  // Until the earliest predicted release of a periodic critical task, less
  // its jitter; nullopt when no critical task is predictably periodic.
  std::optional<double> us_until_critical_due(double now) const {
    std::optional<double> due;
    for (const TaskState& t : tasks) {
      if (!is_critical(&t)) continue;
      if (std::optional<ArrivalPrediction> p = t.arrivals.predict(now)) {
        const double until = p->at_us - p->jitter_us - now;
        if (!due || until < *due) due = until;
      }
    }
    return due;
  }

  // No critical request in flight, one is due: stop persistent normal work
  // whose next block would still run when it arrives, so its drain is over
  // by then (the policy decides; pump holds what the stop leaves undone).
  void stop_ahead_of_critical() {
    if (persistent_runs == 0 || critical_requests_active > 0) return;
    const std::optional<double> due = us_until_critical_due(host_us());
    if (!due) return;
    for (TaskState& t : tasks) {
      if (!t.persistent_running || t.stop_requested || t.queue.empty()) continue;
      const std::optional<double> b = t.queue.front()->block_time.block_us();
      if (b && policy->should_stop_ahead(*b, *due) && request_stop(t)) ++stats.stops_ahead;
    }
  }

  // Issues what the policy allows from the head of a task's queue.
  void pump(TaskState& t) {
    bool decided_one = false;
    while (!t.queue.empty()) {
      if (decided_one && !is_critical(&t) && api_waiting.load(std::memory_order_relaxed) > 0) {
        // A submitter (maybe critical) waits for `mu`: let it in after one
        // normal decision (at most one launch); the dispatcher goes on in its
        // next round, so normal work still advances under API pressure.
        pump_needed = true;
        return;
      }
      decided_one = true;
      LaunchRecord* rec = t.queue.front();
      // A persistent launch holds the head: what it leaves undone comes back here.
      if (rec->persistent_in_flight) return;
      RequestState* r = rec->request;
      if (context_lost != cudaSuccess) fail_context_lost(r);
      if (r->result.status != Status::kSuccess) {  // a failed request's later launches are dropped
        t.queue.pop_front();
        --r->queued;
        free_record(rec);
        maybe_complete(r);
        continue;
      }
      build_context(t, *rec);
      LaunchDecision d = policy->decide(context);
      if (d.action == LaunchAction::kHold && d.hold == HoldReason::kNoRoom && never_fits(*rec)) {
        // No block of it fits an empty SM of the model, so no room will ever
        // come: launch it whole and let CUDA run it or report why it cannot.
        d = LaunchDecision{};
      }
      if (d.action == LaunchAction::kHold) {
        if (!rec->held) {
          ++stats.holds, rec->held = true, rec->held_since_us = host_us();
          if (d.hold == HoldReason::kLongBlocks) ++stats.holds_long_blocks;
          if (d.hold == HoldReason::kCriticalDue) ++stats.holds_critical_due;
        }
        if (d.hold == HoldReason::kCriticalDue) due_hold_pending = true;
        return;
      }
      rec->held = false;
      bool issued;
      if (d.action == LaunchAction::kIssuePersistent && context.persistent_footprint) {
        issued = issue_persistent(rec, d.persistent);
        if (issued && rec->persistent_in_flight) return;
      } else if (d.action == LaunchAction::kIssueShard && rec->kernel->sliced) {
        const std::uint64_t n = std::min(d.shard.blocks, rec->total_blocks - rec->next_block);
        rec->shard_slots = d.shard.free_slots;
        issued = issue(rec, true, rec->next_block, n, d.shard.shrink_factor);
        if (issued) rec->next_block += n;
      } else if (rec->next_block == 0) {
        issued = issue(rec, false, 0, rec->total_blocks);
        if (issued) rec->next_block = rec->total_blocks;
      } else {
        // What a stopped persistent launch left: never the original kernel
        // (it would run the finished blocks again), but one sliced launch or
        // a persistent one on the whole GPU.
        const std::uint64_t n = rec->total_blocks - rec->next_block;
        if (rec->kernel->sliced) {
          rec->shard_slots = 0;  // sized to nothing: the whole GPU
          issued = issue(rec, true, rec->next_block, n);
          if (issued) rec->next_block = rec->total_blocks;
        } else {
          const std::uint64_t per_sm =
              static_cast<std::uint64_t>(std::max(1, blocks_per_sm(gpu, rec->shape.persistent)));
          PersistentSizing whole;
          whole.physical_blocks = std::min(n, per_sm * static_cast<std::uint64_t>(gpu.sm_count));
          whole.sms = gpu.sm_count;
          whole.reason = PersistentReason::kFullGpu;
          issued = issue_persistent(rec, whole);
          if (issued && rec->persistent_in_flight) return;
        }
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

  bool never_fits(const LaunchRecord& rec) const {
    if (blocks_per_sm(gpu, rec.shape.original) > 0) return false;
    return !rec.kernel->sliced || blocks_per_sm(gpu, rec.shape.sliced) == 0;
  }

  void pump_all() {
    due_hold_pending = false;
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
    relock(lock);
  }

  void dispatch_loop() {
    select_device();
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      // Decisions change only when work completes or arrives: re-decide then.
      // A hold for a predicted critical request ends when it arrives or
      // turns out late: re-decide every round while one waits.
      const bool retired = poll_heads(lock);
      find_critical_awaiting_callers();
      if (retired || pump_needed || due_hold_pending) {
        pump_needed = false;
        regrow_persistent();
        pump_all();
      }
      stop_ahead_of_critical();
      run_callbacks(lock);
      if (stopping && !busy()) break;
      if (!busy()) {
        dispatcher_sleeping = true;
        work_cv.wait(lock, [&] { return stopping || busy(); });
        dispatcher_sleeping = false;
        pump_needed = true;
        continue;
      }
      lock.unlock();
      if (config.poll_interval_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(config.poll_interval_us));
      else std::this_thread::yield();
      relock(lock);
    }
  }

  // After API calls that queued work or changed what the policy sees.
  void wake_dispatcher() {
    pump_needed = true;
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
  // Requests never ended never complete: release the streams waiting for them.
  for (auto& [id, r] : s.requests) s.release_gate(r.get());
  const DeviceGuard device(s.config.device);
  for (StreamState& st : s.streams) cudaStreamSynchronize(st.stream);
  if (s.stop_stream) cudaStreamSynchronize(s.stop_stream);
  for (TaskState& t : s.tasks) t.channel.reset();
  for (StreamState& st : s.streams) cudaStreamDestroy(st.stream);
  for (cudaStream_t retired : s.retired_streams) cudaStreamDestroy(retired);
  if (s.stop_stream) cudaStreamDestroy(s.stop_stream);
  for (cudaEvent_t e : s.all_events) cudaEventDestroy(e);
  if (s.start_event) cudaEventDestroy(s.start_event);
}

Status Coordinator::initialize() {
  State& s = *state_;
  std::string& error_message = s.last_error;  // MIRIAM_CUDA_TRY's message, for last_error()
  if (s.initialized) return Status::kSuccess;
  const DeviceGuard device(s.config.device);
  MIRIAM_CUDA_TRY(device.error());
  cudaDeviceProp prop{};
  MIRIAM_CUDA_TRY(cudaGetDeviceProperties(&prop, s.config.device));
  if (s.config.gpu_override) {
    s.gpu = *s.config.gpu_override;
  } else {
    s.gpu = gpu_model_from(prop);
  }
  s.policy = make_policy(s.config.policy, s.gpu, s.config.policy_options);
  MIRIAM_CUDA_TRY(cudaDeviceGetStreamPriorityRange(&s.priority_lowest, &s.priority_highest));

  StreamState& shared = s.streams.emplace_back();
  MIRIAM_CUDA_TRY(s.create_stream(0, &shared.stream));
  MIRIAM_CUDA_TRY(s.create_stream(s.priority_highest, &s.stop_stream));

  // Timed events for the trace; without it, a second, timed pool for the
  // normal launches a planning policy learns block times from.
  const unsigned event_flags = s.config.tracing ? cudaEventDefault : cudaEventDisableTiming;
  s.separate_timed_events = !s.config.tracing && s.policy->plans_shards();
  const std::size_t event_count = 2 * std::max<std::size_t>(s.config.max_issued_in_flight, 2);
  s.all_events.reserve(event_count * (s.separate_timed_events ? 2 : 1));
  for (std::size_t i = 0; i < event_count; ++i) {
    cudaEvent_t e;
    MIRIAM_CUDA_TRY(cudaEventCreateWithFlags(&e, event_flags));
    s.all_events.push_back(e);
    s.free_events.push_back(e);
    if (!s.separate_timed_events) continue;
    MIRIAM_CUDA_TRY(cudaEventCreateWithFlags(&e, cudaEventDefault));
    s.all_events.push_back(e);
    s.free_timed_events.push_back(e);
  }
  s.record_storage.resize(std::max<std::size_t>(s.config.max_launches_queued, 1));
  for (LaunchRecord& r : s.record_storage) s.free_records.push_back(&r);

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
  std::string& error_message = s.last_error;
  const DeviceGuard device(s.config.device);
  MIRIAM_CUDA_TRY(device.error());
  TaskState& t = s.tasks.emplace_back();
  t.id = static_cast<TaskId>(s.tasks.size() - 1);
  t.desc = desc;
  auto undo = [&](cudaError_t err) {
    cudaGetLastError();
    error_message = detail::cuda_error_text(err, "add_task");
    s.tasks.pop_back();
    return Status::kErrorCuda;
  };
  const StreamAssignment a = s.policy->stream_for(desc);
  if (a.shared) {
    t.stream = &s.streams.front();
  } else {
    StreamState& st = s.streams.emplace_back();
    st.index = static_cast<int>(s.streams.size() - 1);
    st.critical = desc.criticality == Criticality::kCritical;
    st.assigned = a.priority;
    t.stream = &st;  // counted by ranked_priority() below
    st.cuda_priority = s.ranked_priority(t);
    const cudaError_t err = s.create_stream(st.cuda_priority, &st.stream);
    if (err != cudaSuccess) {
      s.streams.pop_back();
      return undo(err);
    }
  }
  if (desc.criticality == Criticality::kNormal && s.policy->kind() == PolicyKind::kMiriam &&
      s.config.policy_options.use_persistent) {
    // The control block of its persistent launches, made now so no launch can fail for it.
    t.channel = std::make_unique<PersistentChannel>();
    const cudaError_t err = t.channel->create();
    if (err != cudaSuccess) {
      t.channel.reset();
      if (!a.shared) cudaStreamDestroy(s.streams.back().stream), s.streams.pop_back();
      return undo(err);
    }
  }
  s.rerank_idle_streams();
  *id = t.id;
  return Status::kSuccess;
}

Status Coordinator::begin_request(TaskId task, RequestId* id, CompletionCallback on_complete) {
  return begin_request(task, id, std::move(on_complete), StreamOrder{});
}

Status Coordinator::begin_request(TaskId task, RequestId* id, CompletionCallback on_complete,
                                  const StreamOrder& order) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock = s.lock_api();
  if (!s.initialized) return Status::kErrorInvalidArgument;
  if (s.stopping) return Status::kErrorShutDown;
  if (task >= s.tasks.size()) return Status::kErrorUnknownTask;
  const Status opened = s.open_request(s.tasks[task], id, std::move(on_complete));
  if (opened == Status::kSuccess) s.tasks[task].open->order = order;
  return opened;
}

Status Coordinator::submit(TaskId task, const KernelLaunch& launch) {
  State& s = *state_;
  const Clock::time_point t0 = Clock::now();
  if (!launch.kernel || logical_block_count(launch.grid) == 0 || launch.block.x * launch.block.y * launch.block.z == 0)
    return Status::kErrorInvalidArgument;
  const DeviceGuard device(s.config.device);
  std::unique_lock<std::mutex> lock = s.lock_api();
  const Clock::time_point t_locked = Clock::now();
  if (s.stopping) return Status::kErrorShutDown;
  if (task >= s.tasks.size()) return Status::kErrorUnknownTask;
  TaskState& t = s.tasks[task];
  t_submits_critical_work = is_critical(&t);
  if (!t.open) {
    const Status st = s.open_request(t, nullptr, {});
    if (st != Status::kSuccess) return st;
  }
  RequestState* r = t.open;
  if (s.context_lost != cudaSuccess) {  // nothing can run: the request fails now, wait() says why
    s.fail_context_lost(r);
    return Status::kErrorContextLost;
  }
  if (device.error() != cudaSuccess) {  // the request fails with it, so wait() cannot report a success
    s.fail_cuda(r, device.error(), fmt::format("selecting device {} for a launch", s.config.device));
    return s.context_lost != cudaSuccess ? Status::kErrorContextLost : Status::kErrorCuda;
  }
  KernelEntry* k = nullptr;
  std::string error_message;
  const Status found = s.kernels.get(launch.kernel, &k, error_message);
  if (found != Status::kSuccess) {
    s.fail(r, found, cudaSuccess, error_message);
    return found;
  }
  if (!k->arg_sizes.empty() && !launch.args) return Status::kErrorInvalidArgument;
  if (s.free_records.empty()) s.record_cv.wait(lock, [&] { return !s.free_records.empty() || s.stopping; });
  if (s.stopping) return Status::kErrorShutDown;
  LaunchRecord* rec = s.free_records.back();
  s.free_records.pop_back();
  rec->task = &t;
  rec->request = r;
  rec->submitted_us = std::chrono::duration<double, std::micro>(t0 - s.start_host).count();
  rec->locked_us = std::chrono::duration<double, std::micro>(t_locked - s.start_host).count();
  rec->kernel = k;
  rec->grid = launch.grid;
  rec->block = launch.block;
  rec->shared_bytes = launch.shared_bytes;
  rec->label = launch.label ? launch.label : k->label.c_str();
  rec->total_blocks = logical_block_count(launch.grid);
  rec->next_block = 0;
  rec->held = false;
  rec->persistent_in_flight = false;
  rec->preempted = false;
  for (std::size_t i = 0; i < k->arg_sizes.size(); ++i) {
    std::memcpy(rec->arg_bytes + k->arg_offsets[i], launch.args[i], k->arg_sizes[i]);
    rec->arg_ptrs[i + 2] = rec->arg_bytes + k->arg_offsets[i];
  }
  rec->shape = s.kernels.footprints(*k, launch.block, launch.shared_bytes);
  rec->block_time = {};
  rec->shard_slots = 0;
  if (!is_critical(&t) && s.policy->plans_shards()) {
    LaunchShapeKey key;
    key.kernel = k;
    key.grid[0] = launch.grid.x, key.grid[1] = launch.grid.y, key.grid[2] = launch.grid.z;
    key.block[0] = launch.block.x, key.block[1] = launch.block.y, key.block[2] = launch.block.z;
    key.shared_bytes = launch.shared_bytes;
    BlockTimeEstimate* shape = &s.block_times[key];  // map nodes stay put as the map grows
    if (s.config.block_time_per_launch) {
      key.task = &t;
      key.ordinal = static_cast<std::uint32_t>(std::min<std::uint64_t>(r->result.launches, kMaxLaunchOrdinal));
      rec->block_time = LearnedBlockTime(&s.block_times[key], shape);
    } else {
      rec->block_time = LearnedBlockTime(shape, nullptr);
    }
  }
  ++r->queued;
  ++r->result.launches;
  ++s.stats.launches_submitted;
  t.queue.push_back(rec);
  const bool critical = is_critical(&t);
  if (critical) {
    const KernelLoad load{rec->shape.original, rec->total_blocks};
    if (!t.expected_load || load.blocks > t.expected_load->blocks) t.expected_load = load;
    s.preempt_for(load);  // before the launch: its blocks need the SMs the stopped work leaves
  }
  s.pump(t);  // critical work goes out now, from this thread
  // A critical launch issued whole needs the dispatcher only to see it
  // complete, which end_request asks for: no wake-up per launch.
  const bool wake = !t.queue.empty() || !critical;
  if (wake) s.pump_needed = true;
  const bool notify = wake && s.dispatcher_sleeping;
  s.stats.submit_cpu_us_total += std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  lock.unlock();
  if (notify) s.work_cv.notify_one();  // outside the lock: the dispatcher does not wake into a held mutex
  return Status::kSuccess;
}

Status Coordinator::end_request(TaskId task, RequestId* id) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock = s.lock_api();
  if (task >= s.tasks.size()) return Status::kErrorUnknownTask;
  TaskState& t = s.tasks[task];
  if (!t.open) return Status::kErrorNoRequestOpen;
  RequestState* r = t.open;
  t.open = nullptr;
  r->ended = true;
  if (id) *id = r->id;
  s.maybe_complete(r);
  s.pump_needed = true;
  const bool notify = s.dispatcher_sleeping;
  s.run_callbacks(lock);
  lock.unlock();
  if (notify) s.work_cv.notify_one();
  return Status::kSuccess;
}

Status Coordinator::wait(RequestId request, RequestResult* result, int timeout_ms) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock = s.lock_api();
  auto it = s.requests.find(request);
  if (it == s.requests.end()) return Status::kErrorInvalidArgument;  // unknown, taken, or has a callback
  RequestState* r = it->second.get();
  if (r->callback) return Status::kErrorInvalidArgument;
  const Clock::time_point start = Clock::now();
  if (!r->done && s.config.wait_spin_us > 0) {
    // Poll first: most critical requests end within microseconds of the
    // call, sooner than a condition-variable wake-up. (One waiter per request.)
    const bool critical = is_critical(r->task);
    lock.unlock();
    long long spin_us = s.config.wait_spin_us;
    if (timeout_ms >= 0) spin_us = std::min<long long>(spin_us, 1000LL * timeout_ms);
    const Clock::time_point until = start + std::chrono::microseconds(spin_us);
    while (!r->finished.load(std::memory_order_acquire) && Clock::now() < until) {
      // Its last launch ended on the GPU: complete it here rather than wait
      // for the dispatcher's next round.
      const cudaEvent_t last = critical ? r->last_end.load(std::memory_order_acquire) : nullptr;
      if (last && r->all_issued.load(std::memory_order_acquire) && cudaEventQuery(last) == cudaSuccess) {
        lock = s.lock_api();
        const bool wake = s.retire_request_launches(*r) && s.dispatcher_sleeping;
        lock.unlock();
        if (wake) s.work_cv.notify_one();
        if (r->finished.load(std::memory_order_acquire)) break;
      }
      std::this_thread::yield();
    }
    lock = s.lock_api();
    it = s.requests.find(request);  // other requests may have rehashed the map
    if (it == s.requests.end()) return Status::kErrorInvalidArgument;
  }
  auto ready = [&] { return r->done; };
  if (timeout_ms < 0) s.done_cv.wait(lock, ready);
  else if (!s.done_cv.wait_until(lock, start + std::chrono::milliseconds(timeout_ms), ready)) return Status::kErrorTimeout;
  if (result) *result = r->result;
  const Status status = r->result.status;
  s.requests.erase(it);
  return status;
}

Status Coordinator::wait_issued(RequestId request, int timeout_ms) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock = s.lock_api();
  const auto issued = [&] {
    auto it = s.requests.find(request);  // gone: completed, and a callback or wait() took it
    return it == s.requests.end() || it->second->done || it->second->all_issued;
  };
  if (timeout_ms < 0) s.done_cv.wait(lock, issued);
  else if (!s.done_cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), issued)) return Status::kErrorTimeout;
  return Status::kSuccess;
}

Status Coordinator::synchronize() {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  s.wake_dispatcher();
  s.done_cv.wait(lock, [&] { return !s.busy(); });
  return s.context_lost != cudaSuccess ? Status::kErrorContextLost : Status::kSuccess;
}

std::string Coordinator::last_error() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->context_lost != cudaSuccess)
    return fmt::format("CUDA context lost ({}) when {} failed", cudaGetErrorName(state_->context_lost),
                       state_->context_lost_cause);
  return state_->last_error;
}

CoordinatorStats Coordinator::stats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->stats;
}

std::vector<TraceSpan> Coordinator::trace() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->spans.snapshot();
}

bool Coordinator::write_trace(const std::string& path) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return write_chrome_trace(path, state_->spans.snapshot(), state_->config.device,
                            fmt::format("GPU {} ({})", state_->config.device, state_->policy->name()), &state_->stats);
}

void Coordinator::clear_trace() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->spans.clear();
}

const GpuModel& Coordinator::gpu() const { return state_->gpu; }
const Policy& Coordinator::policy() const { return *state_->policy; }
int Coordinator::device() const { return state_->config.device; }

bool Coordinator::owns_stream(cudaStream_t stream) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (stream && stream == state_->stop_stream) return true;
  for (const StreamState& st : state_->streams)
    if (st.stream == stream) return true;
  for (cudaStream_t retired : state_->retired_streams)
    if (retired == stream) return true;
  return false;
}

cudaStream_t Coordinator::stream_of(TaskId task) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return task < state_->tasks.size() ? state_->tasks[task].stream->stream : nullptr;
}

}  // namespace miriam
