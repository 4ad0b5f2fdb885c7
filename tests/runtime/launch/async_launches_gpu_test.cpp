// GPU test of asynchronous rewritten launches (miriam/launch.h): the kernels
// and launchers of test_kernels/launch_sites/async_launches.cu, rewritten by
// `miriamc --rewrite-launches`, run with a current task under every policy.
//  1. A rewritten launch of a ~50 ms kernel returns in far less than 50 ms
//     (under miriam a normal one may go out persistent: then once it finished),
//     and the kernel did run that long (the caller's stream synchronizes after
//     it); on the coordinator's own stream it falls back to synchronous.
//  2. Ordering: a normal and a critical thread each run a chain of dependent
//     launches (k2 reads k1's output, 24 steps) on their own stream, then a
//     cudaMemcpyAsync on that stream: results bitwise equal to a CPU
//     reference. The critical thread keeps wide spinning kernels in flight,
//     so under miriam the normal launches are held or sharded (counters).
//     Each round allocates and frees its buffers (cudaFree synchronizes the
//     device and blocks other threads' CUDA calls): with a held launch's
//     gate already in its caller's stream, that deadlocked (fixed: such a
//     launch returns once issued).
//     One stream shared by a normal and a critical task, under holds: no deadlock.
//  3. A launch that the coordinator accepts and that then fails still
//     releases the caller's stream: a launch CUDA rejects at issue (explicit
//     API with a StreamOrder, every policy, under miriam while a critical
//     request holds it back), a request never ended when the coordinator is
//     destroyed, and (in a child process per policy, as the fault is sticky)
//     a rewritten launch that traps on the GPU: its caller's stream does not
//     hang and the deferred error comes back from the next launch_kernel or
//     from launch_synchronize().
//  4. 20000 rewritten launches (an atomic counter): all ran, in order, and the
//     gate slots stay bounded and are all reused.
// Every wait is bounded; a watchdog ends a hung run. Exit 77 without a GPU.
//   ./async_launches_gpu_test
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "async_launches.h"
#include "cuda/stream_gate.h"
#include "gpu_expect.h"
#include "miriam/coordinator.h"
#include "miriam/cuda_introspector.h"
#include "miriam/launch.h"

extern char** environ;

namespace {

using namespace miriam;
using coordinator_test::failures;
using Clock = std::chrono::steady_clock;

constexpr PolicyKind kPolicies[] = {PolicyKind::kSequential, PolicyKind::kMultistream, PolicyKind::kPriority,
                                    PolicyKind::kIb, PolicyKind::kMiriam};
constexpr int kN = 1 << 20;  // 4096 blocks of 256: the miriam policy shards it
constexpr int kChainSteps = 24;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string exe_path() {
  char path[4096];
  const ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (len <= 0) return "./async_launches_gpu_test";
  path[len] = '\0';
  return path;
}

std::string exe_dir() {
  const std::string p = exe_path();
  return p.substr(0, p.rfind('/'));
}

void start_watchdog(int seconds) {
  std::thread([seconds] {
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    std::printf("FAIL: still running after %d s (a caller's stream hung?)\n", seconds);
    std::fflush(stdout);
    // Where each thread is stuck, when a debugger is at hand.
    const std::string bt = "command -v gdb >/dev/null && gdb -p " + std::to_string(getpid()) +
                           " -batch -ex 'thread apply all bt 12' 2>&1 | grep -E '^(Thread|#)' | head -150";
    if (std::system(bt.c_str()) != 0) std::printf("(no gdb: no backtraces)\n");
    std::fflush(stdout);
    std::_Exit(2);
  }).detach();
}

// Polls the stream until it has no work left or `ms` pass: the stream's
// state (cudaErrorNotReady: still blocked).
cudaError_t bounded_stream_wait(cudaStream_t stream, int ms) {
  const Clock::time_point t0 = Clock::now();
  cudaError_t q;
  while ((q = cudaStreamQuery(stream)) == cudaErrorNotReady && ms_since(t0) < ms)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  return q;
}

struct PolicyCase {
  PolicyKind kind;
  std::string name;
};

std::unique_ptr<Coordinator> make_coordinator(PolicyKind kind, const KernelCatalog* catalog, TaskId* critical,
                                              TaskId* normal, std::size_t queued = 4096) {
  CoordinatorConfig config;
  config.policy = kind;
  config.max_launches_queued = queued;
  config.max_issued_in_flight = queued;
  auto coord = std::make_unique<Coordinator>(config, catalog);
  if (coord->initialize() != Status::kSuccess) return nullptr;
  coord->add_task(TaskDesc{"critical", Criticality::kCritical, 0, std::nullopt}, critical);
  coord->add_task(TaskDesc{"normal", Criticality::kNormal, 0, std::nullopt}, normal);
  return coord;
}

// --- 1. a long kernel's launch returns at once ---------------------------
void check_returns_early(const PolicyCase& p, const KernelCatalog& catalog) {
  TaskId critical = 0, normal = 0;
  auto coord = make_coordinator(p.kind, &catalog, &critical, &normal);
  EXPECT(coord, "%s: initialize", p.name.c_str());
  if (!coord) return;
  cudaStream_t stream;
  cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  int* out = nullptr;
  cudaMalloc(&out, 64 * sizeof(int));
  cudaMemsetAsync(out, 0, 64 * sizeof(int), stream);
  {  // warm-up: the first launch binds the kernel and makes gate slots
    TaskScope scope(*coord, normal);
    launch_spin(out, 0, 1'000'000ull, 1, stream);
  }
  cudaStreamSynchronize(stream);
  for (TaskId task : {normal, critical}) {
    const char* who = task == normal ? "normal" : "critical";
    TaskScope scope(*coord, task);
    const LaunchCounters before = launch_counters();
    const Clock::time_point t0 = Clock::now();
    launch_spin(out, 7, 50'000'000ull, 1, stream);  // 50 ms
    const double launch_ms = ms_since(t0);
    const LaunchCounters after = launch_counters();
    int host[64] = {};
    cudaMemcpyAsync(host, out, sizeof(host), cudaMemcpyDeviceToHost, stream);
    const cudaError_t synced = cudaStreamSynchronize(stream);
    const double total_ms = ms_since(t0);
    EXPECT(after.asynchronous == before.asynchronous + 1, "%s, %s: not an asynchronous launch (%s)", p.name.c_str(),
           who, last_launch_message());
    // Under miriam a normal launch may go out as a preemptible persistent
    // kernel: it returns once that finished (a stop would hand the rest back
    // to the host, see launch.h), and says so in held_until_issued.
    const bool held = after.held_until_issued == before.held_until_issued + 1;
    EXPECT(launch_ms < 10.0 || (p.kind == PolicyKind::kMiriam && task == normal && held),
           "%s, %s: the launch call took %.2f ms of a 50 ms kernel", p.name.c_str(), who, launch_ms);
    EXPECT(total_ms >= 45.0, "%s, %s: the caller's stream finished after %.2f ms, before the 50 ms kernel",
           p.name.c_str(), who, total_ms);
    EXPECT(synced == cudaSuccess && host[0] == 7 && host[63] == 7, "%s, %s: the copy after the launch saw %d (%s)",
           p.name.c_str(), who, host[0], cudaGetErrorString(synced));
    std::printf("%s, %s task: launch returned after %.3f ms%s, the 50 ms kernel's copy after %.1f ms\n",
                p.name.c_str(), who, launch_ms, held ? " (once issued)" : "", total_ms);
    cudaMemsetAsync(out, 0, 64 * sizeof(int), stream);
  }
  // The caller's stream is the coordinator's own: the synchronous fallback, which blocks.
  {
    TaskScope scope(*coord, normal);
    const LaunchCounters before = launch_counters();
    const Clock::time_point t0 = Clock::now();
    launch_spin(out, 9, 50'000'000ull, 1, coord->stream_of(normal));
    const double launch_ms = ms_since(t0);
    EXPECT(launch_counters().synchronous == before.synchronous + 1 && launch_ms >= 45.0,
           "%s: a launch on the task's own stream: synchronous fallback, %.2f ms (%s)", p.name.c_str(), launch_ms,
           last_launch_message());
    std::printf("%s: on the coordinator's stream: synchronous fallback, %.1f ms (%s)\n", p.name.c_str(), launch_ms,
                last_launch_message());
  }
  EXPECT(launch_synchronize(10000) == cudaSuccess, "%s: no deferred error (%s)", p.name.c_str(),
         last_launch_message());
  cudaStreamSynchronize(stream);
  cudaFree(out);
  cudaStreamDestroy(stream);
}

// --- 2. ordering: dependent chains, a copy right after ---------------------
std::vector<int> chain_reference(const std::vector<int>& input, int salt) {
  std::vector<int> a = input;
  for (int step = 0; step < kChainSteps; ++step)
    for (int& v : a)  // as the affine kernel: unsigned, wrapping
      v = static_cast<int>(static_cast<unsigned>(v) * static_cast<unsigned>(3 + (step + salt) % 5) +
                           static_cast<unsigned>(step * 7 - salt));
  return a;
}

struct ChainRun {
  std::vector<int> result;
  cudaError_t error = cudaSuccess;
};

// kChainSteps rewritten launches, each reading the previous one's output,
// then a copy on the caller's stream with nothing in between.
ChainRun run_chain(const std::vector<int>& input, int salt, cudaStream_t stream) {
  ChainRun run;
  int *a = nullptr, *b = nullptr;
  cudaMalloc(&a, kN * sizeof(int));
  cudaMalloc(&b, kN * sizeof(int));
  int* host = nullptr;
  cudaMallocHost(&host, kN * sizeof(int));
  cudaMemcpyAsync(a, input.data(), kN * sizeof(int), cudaMemcpyHostToDevice, stream);
  for (int step = 0; step < kChainSteps; ++step) {
    launch_affine(a, b, 3 + (step + salt) % 5, step * 7 - salt, kN, stream);
    std::swap(a, b);
  }
  cudaMemcpyAsync(host, a, kN * sizeof(int), cudaMemcpyDeviceToHost, stream);
  run.error = cudaStreamSynchronize(stream);
  run.result.assign(host, host + kN);
  cudaFreeHost(host);
  cudaFree(a);
  cudaFree(b);
  return run;
}

void check_ordering(const PolicyCase& p, const KernelCatalog& catalog, int sms) {
  TaskId critical = 0, normal = 0;
  auto coord = make_coordinator(p.kind, &catalog, &critical, &normal);
  EXPECT(coord, "%s: initialize", p.name.c_str());
  if (!coord) return;
  std::vector<int> input(kN);
  for (int i = 0; i < kN; ++i) input[i] = (i * 2654435761u) >> 7;
  const std::vector<int> normal_ref = chain_reference(input, 1), critical_ref = chain_reference(input, 2);
  const LaunchCounters before = launch_counters();

  ChainRun normal_run, critical_run;
  std::thread critical_thread([&] {
    TaskScope scope(*coord, critical);
    cudaStream_t stream;
    cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
    for (int round = 0; round < 3; ++round) {
      // Wide critical kernels in flight (half the SMs, 3 ms): the normal chain runs beside or after them.
      for (int k = 0; k < 4; ++k) launch_spin(nullptr, 0, 3'000'000ull, sms / 2, stream);
      critical_run = run_chain(input, 2, stream);
      if (critical_run.result != critical_ref) break;
    }
    EXPECT(launch_synchronize(30000) == cudaSuccess, "%s: critical thread: %s", p.name.c_str(), last_launch_message());
    cudaStreamDestroy(stream);
  });
  std::thread normal_thread([&] {
    TaskScope scope(*coord, normal);
    cudaStream_t stream;
    cudaStreamCreate(&stream);  // a blocking stream, unlike the critical thread's
    for (int round = 0; round < 3; ++round) {
      normal_run = run_chain(input, 1, stream);
      if (normal_run.result != normal_ref) break;
    }
    EXPECT(launch_synchronize(30000) == cudaSuccess, "%s: normal thread: %s", p.name.c_str(), last_launch_message());
    cudaStreamDestroy(stream);
  });
  critical_thread.join();
  normal_thread.join();
  EXPECT(normal_run.error == cudaSuccess && normal_run.result == normal_ref,
         "%s: the normal chain's copy differs from the CPU reference (%s)", p.name.c_str(),
         cudaGetErrorString(normal_run.error));
  EXPECT(critical_run.error == cudaSuccess && critical_run.result == critical_ref,
         "%s: the critical chain's copy differs from the CPU reference (%s)", p.name.c_str(),
         cudaGetErrorString(critical_run.error));
  coord->synchronize();
  const LaunchCounters after = launch_counters();
  const CoordinatorStats stats = coord->stats();
  const std::uint64_t launches = 3 * (2 * kChainSteps + 4);
  EXPECT(after.asynchronous - before.asynchronous == launches, "%s: %llu asynchronous launches, expected %llu",
         p.name.c_str(), static_cast<unsigned long long>(after.asynchronous - before.asynchronous),
         static_cast<unsigned long long>(launches));
  EXPECT(after.failed == before.failed, "%s: a launch failed", p.name.c_str());
  if (p.kind == PolicyKind::kMiriam)
    EXPECT(stats.shards_issued + stats.holds + stats.persistent_launches > 0,
           "miriam: the normal chain was neither held, sharded nor persistent");
  std::printf("%s: chains bitwise equal to the CPU reference; %llu launches, %llu shards, %llu persistent, %llu holds, "
              "%llu returned once issued\n",
              p.name.c_str(), static_cast<unsigned long long>(stats.launches_submitted),
              static_cast<unsigned long long>(stats.shards_issued),
              static_cast<unsigned long long>(stats.persistent_launches), static_cast<unsigned long long>(stats.holds),
              static_cast<unsigned long long>(after.held_until_issued - before.held_until_issued));
}

// One caller's stream for a normal and a critical task (the chain alternates
// between them: each critical step reads the normal step before it), while
// another critical task keeps requests in flight, so ib and miriam hold the
// normal steps: a critical step then waits on the GPU for a held normal one.
// The coordinator must not hold the normal step for it (no deadlock).
void check_shared_stream(const PolicyCase& p, const KernelCatalog& catalog, int sms) {
  TaskId critical = 0, normal = 0, other_critical = 0;
  auto coord = make_coordinator(p.kind, &catalog, &critical, &normal);
  EXPECT(coord, "%s: initialize", p.name.c_str());
  if (!coord) return;
  coord->add_task(TaskDesc{"critical 2", Criticality::kCritical, 0, std::nullopt}, &other_critical);
  std::atomic<bool> stop{false};
  std::thread spinner([&] {
    TaskScope scope(*coord, other_critical);
    cudaStream_t stream;
    cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
    for (int k = 0; k < 400 && !stop; ++k) {
      launch_spin(nullptr, 0, 1'000'000ull, sms / 4, stream);
      if (k % 4 == 3) cudaStreamSynchronize(stream);
    }
    cudaStreamSynchronize(stream);
    cudaStreamDestroy(stream);
  });
  std::vector<int> input(kN);
  for (int i = 0; i < kN; ++i) input[i] = i ^ 0x5a5a;
  const std::vector<int> reference = chain_reference(input, 3);
  cudaStream_t stream;
  cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  int *a = nullptr, *b = nullptr, *host = nullptr;
  cudaMalloc(&a, kN * sizeof(int));
  cudaMalloc(&b, kN * sizeof(int));
  cudaMallocHost(&host, kN * sizeof(int));
  cudaMemcpyAsync(a, input.data(), kN * sizeof(int), cudaMemcpyHostToDevice, stream);
  for (int step = 0; step < kChainSteps; ++step) {
    TaskScope scope(*coord, step % 2 ? critical : normal);
    launch_affine(a, b, 3 + (step + 3) % 5, step * 7 - 3, kN, stream);
    std::swap(a, b);
  }
  cudaMemcpyAsync(host, a, kN * sizeof(int), cudaMemcpyDeviceToHost, stream);
  const cudaError_t q = bounded_stream_wait(stream, 20000);
  stop = true;
  spinner.join();
  EXPECT(q == cudaSuccess, "%s: one stream for a normal and a critical task: %s", p.name.c_str(),
         cudaGetErrorString(q));
  EXPECT(q == cudaSuccess && std::equal(reference.begin(), reference.end(), host),
         "%s: the alternating chain differs from the CPU reference", p.name.c_str());
  EXPECT(launch_synchronize(20000) == cudaSuccess, "%s: %s", p.name.c_str(), last_launch_message());
  std::printf("%s: a normal and a critical task on one stream: chain correct, no deadlock (%llu holds)\n",
              p.name.c_str(), static_cast<unsigned long long>(coord->stats().holds));
  cudaFreeHost(host);
  cudaFree(a);
  cudaFree(b);
  cudaStreamDestroy(stream);
}

// --- 3. failures release the caller's stream ------------------------------
struct Gate {
  std::uint32_t* word = nullptr;
  cudaEvent_t ready = nullptr;
  Gate() {
    cudaMalloc(&word, sizeof(*word));
    cudaMemset(word, 0, sizeof(*word));
    cudaEventCreateWithFlags(&ready, cudaEventDisableTiming);
  }
  ~Gate() {
    cudaEventDestroy(ready);
    cudaFree(word);
  }
};

void check_failed_launch_releases(const PolicyCase& p, const KernelCatalog& catalog, int sms) {
  TaskId critical = 0, normal = 0;
  auto coord = make_coordinator(p.kind, &catalog, &critical, &normal);
  EXPECT(coord, "%s: initialize", p.name.c_str());
  if (!coord) return;
  const detail::StreamMemOps& ops = detail::StreamMemOps::get();
  cudaStream_t caller;
  cudaStreamCreateWithFlags(&caller, cudaStreamNonBlocking);
  int* buf = nullptr;
  cudaMalloc(&buf, 256 * sizeof(int));
  Gate gate;
  // A critical request in flight first (a rewritten launch: 20 ms on half the
  // GPU): under miriam the normal launch may be held behind it.
  cudaStream_t critical_stream;
  cudaStreamCreateWithFlags(&critical_stream, cudaStreamNonBlocking);
  {
    TaskScope scope(*coord, critical);
    launch_spin(nullptr, 0, 20'000'000ull, sms / 2, critical_stream);
  }
  cudaEventRecord(gate.ready, caller);
  RequestId request = 0;
  EXPECT(coord->begin_request(normal, &request, {}, StreamOrder{gate.ready, gate.word, 1}) == Status::kSuccess,
         "%s: begin_request", p.name.c_str());
  const int n = 256;
  const int mul = 1, add = 0;
  const int* in = buf;
  int* out = buf;
  void* args[] = {&in, &out, const_cast<int*>(&mul), const_cast<int*>(&add), const_cast<int*>(&n)};
  EXPECT(coord->submit(normal, KernelLaunch{affine_kernel(), dim3(1), dim3(1, 1, 128), 0, args}) == Status::kSuccess,
         "%s: the bad launch is accepted at submit", p.name.c_str());
  // A good launch after it in the same request: dropped when the request fails.
  EXPECT(coord->submit(normal, KernelLaunch{affine_kernel(), dim3(1), dim3(256), 0, args}) == Status::kSuccess,
         "%s: the second launch is accepted at submit", p.name.c_str());
  coord->end_request(normal);
  EXPECT(ops.wait_geq(caller, gate.word, 1) == cudaSuccess, "%s: wait on the gate", p.name.c_str());
  RequestResult result;
  const Status waited = coord->wait(request, &result, 30000);
  EXPECT(waited == Status::kErrorCuda, "%s: the request failed with %s (%s)", p.name.c_str(), to_string(waited),
         result.message.c_str());
  const cudaError_t q = bounded_stream_wait(caller, 10000);
  EXPECT(q == cudaSuccess, "%s: the caller's stream after a failed launch: %s", p.name.c_str(),
         cudaGetErrorString(q));

  // A request never ended: the coordinator's destructor releases its gate.
  Gate never_ended;
  cudaEventRecord(never_ended.ready, caller);
  coord->begin_request(normal, nullptr, {}, StreamOrder{never_ended.ready, never_ended.word, 1});
  ops.wait_geq(caller, never_ended.word, 1);
  // A request ended but still queued (held behind a critical one under ib
  // and miriam) when the coordinator is destroyed: it runs, then releases.
  TaskId normal2 = 0;
  coord->add_task(TaskDesc{"normal 2", Criticality::kNormal, 0, std::nullopt}, &normal2);
  {
    TaskScope scope(*coord, critical);
    launch_spin(nullptr, 0, 20'000'000ull, sms / 2, critical_stream);
  }
  cudaStream_t caller2;
  cudaStreamCreateWithFlags(&caller2, cudaStreamNonBlocking);
  int* held_buf = nullptr;
  cudaMalloc(&held_buf, 256 * sizeof(int));
  cudaMemsetAsync(held_buf, 0, 256 * sizeof(int), caller2);
  Gate held;
  cudaEventRecord(held.ready, caller2);
  coord->begin_request(normal2, nullptr, {}, StreamOrder{held.ready, held.word, 1});
  {
    const int two = 2, one = 1;
    void* held_args[] = {&held_buf, &held_buf, const_cast<int*>(&two), const_cast<int*>(&one), const_cast<int*>(&n)};
    coord->submit(normal2, KernelLaunch{affine_kernel(), dim3(1), dim3(256), 0, held_args});
  }
  coord->end_request(normal2);
  ops.wait_geq(caller2, held.word, 1);
  int* held_host = nullptr;  // pinned: the copy is asynchronous (a pageable one would block until the gate)
  cudaMallocHost(&held_host, 256 * sizeof(int));
  held_host[0] = held_host[255] = -1;
  cudaMemcpyAsync(held_host, held_buf, 256 * sizeof(int), cudaMemcpyDeviceToHost, caller2);
  coord.reset();
  const cudaError_t q2 = bounded_stream_wait(caller, 10000);
  EXPECT(q2 == cudaSuccess, "%s: the caller's stream after the coordinator ended with a request open: %s",
         p.name.c_str(), cudaGetErrorString(q2));
  const cudaError_t q3 = bounded_stream_wait(caller2, 10000);
  EXPECT(q3 == cudaSuccess && held_host[0] == 1 && held_host[255] == 1,
         "%s: a request queued when the coordinator ended: stream %s, result %d (expected 1)", p.name.c_str(),
         cudaGetErrorString(q3), held_host[0]);
  std::printf("%s: a failed launch, a request never ended and one queued at shutdown released their callers' "
              "streams\n", p.name.c_str());
  cudaFreeHost(held_host);
  cudaFree(held_buf);
  cudaStreamDestroy(caller2);
  cudaStreamSynchronize(critical_stream);
  cudaStreamDestroy(critical_stream);
  cudaFree(buf);
  cudaStreamDestroy(caller);
}

// In a child process (the fault is sticky): a rewritten launch that traps.
int trap_child(PolicyKind kind, bool via_next_launch) {
  TaskId critical = 0, normal = 0;
  auto coord = make_coordinator(kind, nullptr, &critical, &normal);
  if (!coord) return 3;
  cudaStream_t stream;
  cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  int* buf = nullptr;
  cudaMalloc(&buf, kN * sizeof(int));
  auto scope = std::make_unique<TaskScope>(*coord, normal);
  const LaunchCounters before = launch_counters();
  launch_affine(buf, buf, 1, 1, kN, stream);
  const Clock::time_point t0 = Clock::now();
  launch_trap(20'000'000ull, stream);  // 20 ms, then the fault
  const double launch_ms = ms_since(t0);
  launch_affine(buf, buf, 1, 1, kN, stream);  // accepted before the fault is known
  int failed = 0;
  if (launch_counters().asynchronous - before.asynchronous != 3) {
    std::printf("FAIL child: launches were not asynchronous (%s)\n", last_launch_message());
    ++failed;
  }
  if (launch_ms > 10.0) std::printf("FAIL child: the trapping launch blocked %.2f ms\n", launch_ms), ++failed;
  const cudaError_t q = bounded_stream_wait(stream, 10000);
  if (q == cudaErrorNotReady) std::printf("FAIL child: the caller's stream hangs after the fault\n"), ++failed;
  cudaError_t deferred;
  if (via_next_launch) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the coordinator sees the fault
    int n = kN, one = 1;
    void* args[] = {&buf, &buf, &one, &one, &n};
    deferred = launch_kernel(affine_kernel(), dim3(kN / 256), dim3(256), 0, stream, args);
  } else {
    deferred = launch_synchronize(10000);
  }
  const std::string message = last_launch_message();
  if (deferred == cudaSuccess || deferred == cudaErrorTimeout) {
    std::printf("FAIL child: no deferred error (%s)\n", cudaGetErrorString(deferred));
    ++failed;
  }
  if (message.find("after launch_kernel had returned") == std::string::npos ||
      (via_next_launch && message.rfind("not launched: ", 0) != 0)) {
    std::printf("FAIL child: last_launch_message: %s\n", message.c_str());
    ++failed;
  }
  std::printf("child %s: trap launch returned after %.3f ms; stream: %s; deferred error %s via %s: %s\n",
              to_string(kind), launch_ms, cudaGetErrorName(q), cudaGetErrorName(deferred),
              via_next_launch ? "the next launch_kernel" : "launch_synchronize", message.c_str());
  std::fflush(stdout);
  scope.reset();
  coord.reset();  // must not hang either
  std::_Exit(failed ? 1 : 0);
}

void check_trap_in_child(const PolicyCase& p, bool via_next_launch) {
  const std::string exe = exe_path();
  std::vector<std::string> argv_s = {exe, "--trap-child", p.name, via_next_launch ? "next" : "sync"};
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    EXPECT(false, "%s: cannot start the child", p.name.c_str());
    return;
  }
  int status = 0;
  const Clock::time_point t0 = Clock::now();
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (ms_since(t0) > 60000) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      EXPECT(false, "%s: the trap child hung", p.name.c_str());
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: trap child exit status %d", p.name.c_str(), status);
}

// --- 4. many launches: all run, in order; gate slots bounded and reused ------
void check_many_launches(const PolicyCase& p, const KernelCatalog& catalog) {
  TaskId critical = 0, normal = 0;
  auto coord = make_coordinator(p.kind, &catalog, &critical, &normal, 256);
  EXPECT(coord, "%s: initialize", p.name.c_str());
  if (!coord) return;
  constexpr unsigned kLaunches = 20000;
  cudaStream_t stream;
  cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);
  unsigned *counter = nullptr, *seen = nullptr;
  cudaMalloc(&counter, sizeof(unsigned));
  cudaMalloc(&seen, kLaunches * sizeof(unsigned));
  cudaMemsetAsync(counter, 0, sizeof(unsigned), stream);
  cudaMemsetAsync(seen, 0xff, kLaunches * sizeof(unsigned), stream);
  const LaunchGateUsage usage_before = launch_gate_usage();
  std::size_t peak_slots = 0;
  {
    TaskScope scope(*coord, normal);
    for (unsigned i = 0; i < kLaunches; ++i) {
      launch_count(counter, seen, i, stream);
      if (i % 1000 == 0) peak_slots = std::max(peak_slots, launch_gate_usage().slots);
    }
    EXPECT(launch_synchronize(60000) == cudaSuccess, "%s: %s", p.name.c_str(), last_launch_message());
    unsigned host_counter = 0;
    std::vector<unsigned> host_seen(kLaunches);
    cudaMemcpyAsync(&host_counter, counter, sizeof(unsigned), cudaMemcpyDeviceToHost, stream);
    cudaMemcpyAsync(host_seen.data(), seen, kLaunches * sizeof(unsigned), cudaMemcpyDeviceToHost, stream);
    EXPECT(bounded_stream_wait(stream, 30000) == cudaSuccess, "%s: stream", p.name.c_str());
    bool all = host_counter == kLaunches;
    for (unsigned i = 0; all && i < kLaunches; ++i) all = host_seen[i] == i;
    EXPECT(all, "%s: %u of %u launches ran, not all in launch order", p.name.c_str(), host_counter, kLaunches);
    launch_count(counter, seen, kLaunches - 1, stream);  // reclaims every passed slot
  }
  const LaunchGateUsage usage = launch_gate_usage();
  EXPECT(usage.slots <= 4096, "%s: %zu gate slots for %u launches", p.name.c_str(), usage.slots, kLaunches);
  EXPECT(usage.in_flight <= 1, "%s: %zu gate slots still in flight after the stream synchronized", p.name.c_str(),
         usage.in_flight);
  EXPECT(usage.retired == usage_before.retired, "%s: gate slots retired", p.name.c_str());
  std::printf("%s: %u launches in order; gate slots: %zu (peak seen %zu), %zu in flight after sync\n",
              p.name.c_str(), kLaunches, usage.slots, peak_slots, usage.in_flight);
  cudaStreamSynchronize(stream);
  cudaFree(counter);
  cudaFree(seen);
  cudaStreamDestroy(stream);
}

}  // namespace

int main(int argc, char** argv) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("no CUDA device: skipping\n");
    return 77;  // ctest: skipped
  }
  if (argc == 4 && std::strcmp(argv[1], "--trap-child") == 0) {
    const std::optional<PolicyKind> kind = policy_kind_from_string(argv[2]);
    return kind ? trap_child(*kind, std::strcmp(argv[3], "next") == 0) : 4;
  }
  const char* watchdog_s = std::getenv("MIRIAM_TEST_WATCHDOG_S");  // shorter on a tight device budget
  start_watchdog(watchdog_s ? std::max(10, std::atoi(watchdog_s)) : 240);
  std::string why;
  if (!detail::StreamMemOps::get().usable_on(0, &why)) {
    std::printf("FAIL: stream memory operations unusable on device 0 (%s): launches would be synchronous\n",
                why.c_str());
    return 1;
  }
  KernelCatalog catalog;
  CudaIntrospector introspector;
  try {
    catalog.load(exe_dir() + "/async_launches.miriam.json", registry(), &introspector);
  } catch (const std::exception& e) {
    std::printf("FAIL loading the manifest: %s\n", e.what());
    return 1;
  }
  int sms = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
  for (PolicyKind kind : kPolicies) {
    const PolicyCase p{kind, to_string(kind)};
    check_returns_early(p, catalog);
    check_ordering(p, catalog, sms);
    check_shared_stream(p, catalog, sms);
    check_failed_launch_releases(p, catalog, sms);
    check_many_launches(p, catalog);
  }
  int index = 0;
  for (PolicyKind kind : kPolicies) check_trap_in_child(PolicyCase{kind, to_string(kind)}, index++ % 2 == 0);
  std::printf(failures ? "%d FAILURES\n" : "all passed\n", failures.load());
  return failures ? 1 : 0;
}
