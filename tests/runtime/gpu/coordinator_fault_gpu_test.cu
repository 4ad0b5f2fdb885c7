// GPU test of the coordinator's error paths (issue 8), under every policy.
//
// 1. Launch errors (non-sticky): a normal task's requests contain launches
//    CUDA rejects without touching the context (a block of 1x1x128 threads,
//    z > 64; 2048 threads per block; 1 MiB of dynamic shared memory). Each
//    such request must fail naming the CUDA error, the kernel and the task,
//    while a critical task runs requests before, during and after them, every
//    one bitwise equal to the same request run alone, and the normal task's
//    good requests keep producing correct output. Under miriam the bad
//    launches go out as a sliced shard and as a persistent launch (checked
//    from their messages) and the good ones as both (checked from counters).
// 2. Device faults (sticky): in a child process per policy (this binary
//    re-executed with --fault-child POLICY), a normal kernel traps. Every
//    outstanding and later request of every task must then fail with
//    kErrorContextLost (none hangs, none succeeds) and the coordinator must
//    be destroyed cleanly. CUDA cannot isolate a device fault within one
//    process; the child keeps the main test's context alive.
//
// Every wait has a timeout; a watchdog ends a hung run. Exit 77 without a GPU.
// Run on the device machine:  ./coordinator_fault_gpu_test
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "miriam/coordinator.h"
#include "miriam/cuda_introspector.h"
#include "gpu_expect.h"
#include "gpu_test_start.h"
#include "test_kernels.cuh"

extern char** environ;

namespace {

using namespace miriam;
using namespace coordinator_test;
using Clock = std::chrono::steady_clock;


bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr int kWaitMs = 30000;  // per request: far above any request's run time
constexpr int kThreads = 256;
constexpr int kCriticalN = kThreads * 66;
constexpr int kCriticalAffines = 6;
constexpr int kChurnN = kThreads * 20000;  // ~20 waves of ~70 µs blocks
constexpr int kRounds = 4000;
constexpr int kAffineNormalN = kThreads * 4000;
constexpr int kIterations = 6;

// Kernels of this test only (not in the catalog: they always go out whole).
__global__ void copy_floats(float* dst, const float* src, int n) {
  const int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) dst[i] = src[i];
}

// Spins for `cycles` SM clocks, then traps (trap != 0) or writes `out`.
__global__ void spin_kernel(long long cycles, int trap, unsigned* out) {
  const long long start = clock64();
  while (clock64() - start < cycles) {
  }
  if (trap) __trap();
  if (out) out[threadIdx.x] = 1u;
}

// Ends the process if the test hangs (a deadlock must fail, not stall ctest).
void start_watchdog(int seconds, const char* who) {
  std::thread([seconds, who] {
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    std::printf("FAIL %s: still running after %d s (deadlock?)\n", who, seconds);
    std::fflush(stdout);
    std::_Exit(3);
  }).detach();
}

template <class T>
T* device_copy(const std::vector<T>& host) {
  T* d = nullptr;
  cudaMalloc(&d, host.size() * sizeof(T));
  cudaMemcpy(d, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice);
  return d;
}

template <class T>
std::vector<T> host_copy(const T* d, std::size_t n, cudaStream_t stream) {
  std::vector<T> h(n);
  cudaMemcpyAsync(h.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost, stream);
  cudaStreamSynchronize(stream);
  return h;
}

// --- 1. launch errors -------------------------------------------------------

// One critical request: reset the work buffer from the pristine input, then
// kCriticalAffines in-place affine steps. Its output is the same every time.
Status submit_critical(Coordinator& coord, TaskId task, float* work, const float* pristine, RequestId* id) {
  Status st = coord.begin_request(task, id);
  if (st != Status::kSuccess) return st;
  int n = kCriticalN;
  const float* src = pristine;
  void* copy_args[] = {&work, &src, &n};
  st = coord.submit(task, KernelLaunch{reinterpret_cast<const void*>(&copy_floats), dim3(kCriticalN / kThreads),
                                       dim3(kThreads), 0, copy_args, "copy(critical)"});
  for (int k = 0; k < kCriticalAffines && st == Status::kSuccess; ++k) {
    void* args[] = {&work, &n};
    st = coord.submit(task, KernelLaunch{reinterpret_cast<const void*>(&affine), dim3(kCriticalN / kThreads),
                                         dim3(kThreads), 0, args, "affine(critical)"});
  }
  const Status ended = coord.end_request(task);
  return st != Status::kSuccess ? st : ended;
}

// A launch CUDA rejects at launch time, without a fault on the device.
enum class BadShape { kBlockZ, kThreads2048, kSharedTooLarge };
const char* to_string(BadShape b) {
  return b == BadShape::kBlockZ ? "block 1x1x128" : b == BadShape::kThreads2048 ? "2048 threads" : "1 MiB shared";
}
KernelLaunch bad_launch(const void* kernel, unsigned blocks, void** args, BadShape shape) {
  KernelLaunch l{kernel, dim3(blocks), dim3(kThreads), 0, args};
  if (shape == BadShape::kBlockZ) l.block = dim3(1, 1, 128);
  if (shape == BadShape::kThreads2048) l.block = dim3(2048);
  if (shape == BadShape::kSharedTooLarge) l.shared_bytes = 1u << 20;
  return l;
}

struct PolicyRun {
  PolicyKind kind;
  Coordinator& coord;
  TaskId critical = 0, normal = 0;
  bool miriam = false;
  std::uint64_t bad_launches = 0;
};

// Waits for a request expected to fail with a launch error of `kernel`.
void expect_launch_error(PolicyRun& p, RequestId id, const char* kernel, const char* what, const char* path) {
  RequestResult r;
  const Status st = p.coord.wait(id, &r, kWaitMs);
  const char* who = to_string(p.kind);
  EXPECT(st == Status::kErrorCuda && r.status == Status::kErrorCuda, "%s, %s: status %s (%s)", who, what,
         to_string(st), r.message.c_str());
  EXPECT(r.cuda_error == cudaErrorInvalidConfiguration || r.cuda_error == cudaErrorInvalidValue,
         "%s, %s: cuda error %s, expected a launch-configuration error", who, what, cudaGetErrorName(r.cuda_error));
  EXPECT(contains(r.message, cudaGetErrorName(r.cuda_error)) && contains(r.message, kernel) &&
             contains(r.message, "'segment'"),
         "%s, %s: message must name the CUDA error, the kernel %s and the task: %s", who, what, kernel,
         r.message.c_str());
  if (path) EXPECT(contains(r.message, path), "%s, %s: expected a %s launch: %s", who, what, path, r.message.c_str());
  std::printf("  %s, %s: %s\n", who, what, r.message.c_str());
}

// A normal request with one bad launch of `kernel` (a scratch buffer).
RequestId submit_bad(PolicyRun& p, const void* kernel, void* scratch, int n, BadShape shape) {
  RequestId id = 0;
  p.coord.begin_request(p.normal, &id);
  int rounds = kRounds;
  void* args[] = {&scratch, &n, &rounds};  // affine reads the first two
  p.coord.submit(p.normal, bad_launch(kernel, static_cast<unsigned>(n / kThreads), args, shape));
  p.coord.end_request(p.normal);
  ++p.bad_launches;
  return id;
}

// A normal request of a good launch, a bad one (of churn_p or affine) and a
// good one (dropped: launches after a failed one never run), on scratch buffers.
RequestId submit_mixed_bad(PolicyRun& p, bool bad_churn_p, BadShape shape, unsigned* scratch_u, float* scratch_f) {
  RequestId id = 0;
  p.coord.begin_request(p.normal, &id);
  int n = kChurnN, rounds = kRounds, an = kAffineNormalN;
  void* churn_args[] = {&scratch_u, &n, &rounds};
  void* affine_args[] = {&scratch_f, &an};
  const KernelLaunch good{reinterpret_cast<const void*>(&churn), dim3(kChurnN / kThreads), dim3(kThreads), 0,
                          churn_args};
  p.coord.submit(p.normal, good);
  p.coord.submit(p.normal, bad_churn_p ? bad_launch(reinterpret_cast<const void*>(&churn_p), kChurnN / kThreads,
                                                    churn_args, shape)
                                       : bad_launch(reinterpret_cast<const void*>(&affine), kAffineNormalN / kThreads,
                                                    affine_args, shape));
  p.coord.submit(p.normal, good);
  p.coord.end_request(p.normal);
  ++p.bad_launches;
  return id;
}

void run_launch_errors(PolicyKind kind, const KernelCatalog& catalog) {
  const char* who = to_string(kind);
  CoordinatorConfig config;
  config.policy = kind;
  Coordinator coord(config, &catalog);
  const Status init = coord.initialize();
  EXPECT(init == Status::kSuccess, "%s: initialize: %s %s", who, to_string(init), coord.last_error().c_str());
  if (init != Status::kSuccess) return;
  PolicyRun p{kind, coord};
  p.miriam = kind == PolicyKind::kMiriam;
  EXPECT(coord.add_task(TaskDesc{"detect", Criticality::kCritical, 0, std::nullopt}, &p.critical) == Status::kSuccess,
         "%s", who);
  EXPECT(coord.add_task(TaskDesc{"segment", Criticality::kNormal, 0, std::nullopt}, &p.normal) == Status::kSuccess,
         "%s", who);

  std::vector<float> pristine_host(kCriticalN);
  for (int i = 0; i < kCriticalN; ++i) pristine_host[i] = static_cast<float>(i % 100) * 1e-2f;
  std::vector<unsigned> churn_host(kChurnN);
  for (int i = 0; i < kChurnN; ++i) churn_host[i] = static_cast<unsigned>(i) * 2654435761u;
  std::vector<float> affine_host(kAffineNormalN);
  for (int i = 0; i < kAffineNormalN; ++i) affine_host[i] = static_cast<float>(i % 50) * 1e-2f;
  float* pristine = device_copy(pristine_host);
  float* work = device_copy(pristine_host);
  unsigned* churned = device_copy(churn_host);
  float* affined = device_copy(affine_host);
  unsigned* scratch_u = device_copy(churn_host);
  float* scratch_f = device_copy(affine_host);
  cudaStream_t copies = nullptr;
  cudaStreamCreateWithFlags(&copies, cudaStreamNonBlocking);

  // The critical request run alone: the reference for every later one.
  RequestId id = 0;
  EXPECT(submit_critical(coord, p.critical, work, pristine, &id) == Status::kSuccess, "%s: solo submit", who);
  RequestResult solo_result;
  EXPECT(coord.wait(id, &solo_result, kWaitMs) == Status::kSuccess, "%s: solo critical: %s", who,
         solo_result.message.c_str());
  const std::vector<float> solo = host_copy(work, kCriticalN, copies);

  // Phase 1, no critical work in flight, so the policy's path is known:
  // under miriam a sliced-only kernel goes out as a shard and a
  // persistent-only one as a persistent launch; elsewhere both go out whole.
  // With no other work in flight, a held launch would never be re-decided.
  std::printf("%s:\n", who);
  const unsigned churn_blocks = kChurnN / kThreads;
  expect_launch_error(p, submit_bad(p, reinterpret_cast<const void*>(&affine), scratch_f, kAffineNormalN,
                                    BadShape::kBlockZ),
                      "affine", "sliced-only kernel, block 1x1x128", p.miriam ? "(shard," : "(whole grid,");
  expect_launch_error(p, submit_bad(p, reinterpret_cast<const void*>(&churn_p), scratch_u, kChurnN, BadShape::kBlockZ),
                      "churn_p", "persistent-only kernel, block 1x1x128", p.miriam ? "(persistent," : "(whole grid,");
  // No block fits an SM: the planner finds no room now or ever. Held, it
  // would wait for an event that never comes; it must go out whole and fail.
  expect_launch_error(p, submit_bad(p, reinterpret_cast<const void*>(&affine), scratch_f, kAffineNormalN,
                                    BadShape::kSharedTooLarge),
                      "affine", "sliced-only kernel, 1 MiB shared", "(whole grid,");

  // Phase 2: a critical thread runs requests before, during and after the
  // normal task's good and bad requests.
  std::atomic<bool> normal_done{false};
  std::atomic<int> critical_ok{0}, critical_during{0};
  std::thread critical_thread([&] {
    int after = 0;
    for (int r = 0; after < 3 && r < 100000; ++r) {
      const bool was_done = normal_done.load();
      RequestId cid = 0;
      const Status st = submit_critical(coord, p.critical, work, pristine, &cid);
      EXPECT(st == Status::kSuccess, "%s: critical submit %d: %s", who, r, to_string(st));
      RequestResult result;
      const Status waited = coord.wait(cid, &result, kWaitMs);
      EXPECT(waited == Status::kSuccess, "%s: critical request %d: %s %s", who, r, to_string(waited),
             result.message.c_str());
      if (waited == Status::kErrorTimeout) return;
      const std::vector<float> got = host_copy(work, kCriticalN, copies);
      const bool same = std::memcmp(got.data(), solo.data(), kCriticalN * sizeof(float)) == 0;
      EXPECT(same, "%s: critical request %d differs from the same request run alone", who, r);
      if (waited == Status::kSuccess && same) ++critical_ok;
      if (!was_done && r >= 3) ++critical_during;
      if (was_done) ++after;
      // Periodic, as a critical task is: back-to-back requests would
      // preempt the normal work at every arrival and starve it.
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  });
  while (critical_ok.load() < 3 && failures.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  int good_churns = 0, good_affines = 0;
  const BadShape shapes[] = {BadShape::kBlockZ, BadShape::kThreads2048, BadShape::kSharedTooLarge};
  for (int it = 0; it <= kIterations; ++it) {  // the last iteration: a good request after every bad one
    // Good: churn (persistent under miriam) and affine (shards under miriam), one request.
    RequestId good = 0;
    coord.begin_request(p.normal, &good);
    int n = kChurnN, rounds = kRounds, an = kAffineNormalN;
    void* churn_args[] = {&churned, &n, &rounds};
    void* affine_args[] = {&affined, &an};
    EXPECT(coord.submit(p.normal, KernelLaunch{reinterpret_cast<const void*>(&churn), dim3(churn_blocks),
                                               dim3(kThreads), 0, churn_args}) == Status::kSuccess, "%s", who);
    EXPECT(coord.submit(p.normal, KernelLaunch{reinterpret_cast<const void*>(&affine), dim3(kAffineNormalN / kThreads),
                                               dim3(kThreads), 0, affine_args}) == Status::kSuccess, "%s", who);
    coord.end_request(p.normal);
    // Bad, submitted while the good one runs.
    const bool with_bad = it < kIterations;
    const BadShape shape = shapes[it % 3];
    const bool bad_churn_p = it % 2;
    const RequestId bad = with_bad ? submit_mixed_bad(p, bad_churn_p, shape, scratch_u, scratch_f) : 0;

    RequestResult good_result;
    const Status gs = coord.wait(good, &good_result, kWaitMs);
    EXPECT(gs == Status::kSuccess, "%s: good normal request %d: %s %s", who, it, to_string(gs),
           good_result.message.c_str());
    if (gs == Status::kSuccess) ++good_churns, ++good_affines;
    const std::string what = std::string("mixed request, ") + to_string(shape);
    if (with_bad) expect_launch_error(p, bad, bad_churn_p ? "churn_p" : "affine", what.c_str(), nullptr);
  }
  normal_done = true;
  critical_thread.join();
  EXPECT(critical_during.load() > 0, "%s: no critical request ran while the normal task failed launches", who);
  EXPECT(coord.synchronize() == Status::kSuccess, "%s: synchronize", who);

  // The normal task's good requests computed what they compute alone.
  churn_reference(churn_host, kThreads, kRounds, good_churns);
  affine_reference(affine_host, kThreads, good_affines);
  const std::vector<unsigned> got_churn = host_copy(churned, kChurnN, copies);
  const std::vector<float> got_affine = host_copy(affined, kAffineNormalN, copies);
  EXPECT(std::memcmp(got_churn.data(), churn_host.data(), kChurnN * sizeof(unsigned)) == 0,
         "%s: normal churn output differs after the failed requests", who);
  EXPECT(std::memcmp(got_affine.data(), affine_host.data(), kAffineNormalN * sizeof(float)) == 0,
         "%s: normal affine output differs after the failed requests", who);

  const CoordinatorStats s = coord.stats();
  EXPECT(s.launch_errors == p.bad_launches, "%s: %llu launch errors, %llu bad launches", who,
         (unsigned long long)s.launch_errors, (unsigned long long)p.bad_launches);
  EXPECT(s.requests_failed == p.bad_launches, "%s: %llu failed requests, expected %llu", who,
         (unsigned long long)s.requests_failed, (unsigned long long)p.bad_launches);
  if (p.miriam) {
    EXPECT(s.shards_issued > 0, "miriam issued no sliced shard");
    EXPECT(s.persistent_launches > 0, "miriam issued no persistent launch");
  } else {
    EXPECT(s.shards_issued == 0 && s.persistent_launches == 0, "%s issued elastic launches", who);
  }
  std::printf("%-12s ok: %d critical requests (%d during the failing normal work) bitwise equal to solo; "
              "%llu bad launches failed alone; kernels %llu shards %llu persistent %llu preemptions %llu\n",
              who, critical_ok.load(), critical_during.load(), (unsigned long long)p.bad_launches,
              (unsigned long long)s.kernels_issued, (unsigned long long)s.shards_issued,
              (unsigned long long)s.persistent_launches, (unsigned long long)s.preemptions);
  cudaStreamDestroy(copies);
  for (void* d : {(void*)pristine, (void*)work, (void*)churned, (void*)affined, (void*)scratch_u, (void*)scratch_f})
    cudaFree(d);
}

// --- 2. device faults (in a child process) ----------------------------------

void expect_context_lost(Coordinator& coord, RequestId id, const char* who, const char* what) {
  RequestResult r;
  const Status st = coord.wait(id, &r, kWaitMs);
  EXPECT(st == Status::kErrorContextLost && r.status == Status::kErrorContextLost, "%s, %s: %s (%s)", who, what,
         to_string(st), r.message.c_str());
  EXPECT(contains(r.message, "context") && contains(r.message, "lost"), "%s, %s: message must say the context is lost: %s",
         who, what, r.message.c_str());
  std::printf("  %s, %s: %s: %s\n", who, what, to_string(st), r.message.c_str());
}

RequestId submit_spin(Coordinator& coord, TaskId task, long long cycles, int trap, unsigned* out) {
  RequestId id = 0;
  coord.begin_request(task, &id);
  void* args[] = {&cycles, &trap, &out};
  coord.submit(task, KernelLaunch{reinterpret_cast<const void*>(&spin_kernel), dim3(1), dim3(32), 0, args});
  coord.end_request(task);
  return id;
}

int fault_child(PolicyKind kind) {
  start_watchdog(120, "fault child");
  const char* who = to_string(kind);
  unsigned* out = nullptr;
  cudaMalloc(&out, 64 * sizeof(unsigned));
  {
    CoordinatorConfig config;
    config.policy = kind;
    Coordinator coord(config);
    EXPECT(coord.initialize() == Status::kSuccess, "%s: initialize", who);
    TaskId critical = 0, normal = 0;
    coord.add_task(TaskDesc{"detect", Criticality::kCritical, 0, std::nullopt}, &critical);
    coord.add_task(TaskDesc{"segment", Criticality::kNormal, 0, std::nullopt}, &normal);
    // The normal kernel traps after ~0.1 s; its task's next request waits
    // behind it; a critical request spinning ~1 s is on the GPU when it traps.
    const RequestId trapping = submit_spin(coord, normal, 200'000'000LL, 1, out);
    const RequestId queued = submit_spin(coord, normal, 1'000'000LL, 0, out);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const RequestId outstanding = submit_spin(coord, critical, 2'000'000'000LL, 0, out);
    // Submitted while the critical request runs: ib (and miriam, for a
    // kernel it cannot cut) holds it; at the fault it is held or queued.
    const RequestId held = submit_spin(coord, normal, 1'000'000LL, 0, out);
    expect_context_lost(coord, trapping, who, "the trapping normal request");
    expect_context_lost(coord, queued, who, "the normal request queued behind it");
    expect_context_lost(coord, outstanding, who, "the critical request running at the fault");
    expect_context_lost(coord, held, who, "a normal request submitted while the critical one ran");
    // Requests after the fault, of both tasks: refused at submit, failed at wait.
    const RequestId later_critical = submit_spin(coord, critical, 1000, 0, out);
    const RequestId later_normal = submit_spin(coord, normal, 1000, 0, out);
    expect_context_lost(coord, later_critical, who, "a later critical request");
    expect_context_lost(coord, later_normal, who, "a later normal request");
    EXPECT(coord.synchronize() == Status::kErrorContextLost, "%s: synchronize after the fault", who);
    EXPECT(contains(coord.last_error(), "lost"), "%s: last_error: %s", who, coord.last_error().c_str());
  }  // the coordinator is destroyed on a lost context: must not crash or hang
  std::printf("fault child (%s): %s\n", who, failures ? "FAILED" : "all passed");
  std::fflush(stdout);
  return failures ? 1 : 0;
}

// Runs this binary with --fault-child POLICY; true when it passed.
bool run_fault_child(const char* self, PolicyKind kind) {
  const std::string policy = to_string(kind);
  char flag[] = "--fault-child";
  std::vector<char> policy_arg(policy.begin(), policy.end());
  policy_arg.push_back('\0');
  std::vector<char> self_arg(self, self + std::strlen(self) + 1);
  char* argv[] = {self_arg.data(), flag, policy_arg.data(), nullptr};
  std::fflush(stdout);
  pid_t pid = 0;
  if (posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv, environ) != 0) {
    EXPECT(false, "cannot start the fault child for %s", policy.c_str());
    return false;
  }
  int status = 0;
  waitpid(pid, &status, 0);  // the child has its own watchdog
  const bool passed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  EXPECT(passed, "fault child (%s): %s %d", policy.c_str(), WIFEXITED(status) ? "exit status" : "killed by signal",
         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  return passed;
}

constexpr PolicyKind kPolicies[] = {PolicyKind::kSequential, PolicyKind::kMultistream, PolicyKind::kPriority,
                                    PolicyKind::kIb, PolicyKind::kMiriam};

}  // namespace

int main(int argc, char** argv) {
  if (gpu_test_start() == 0) return 77;  // ctest: skipped
  if (argc > 2 && std::string(argv[1]) == "--fault-child") {
    const std::optional<PolicyKind> kind = policy_kind_from_string(argv[2]);
    return kind ? fault_child(*kind) : 2;
  }
  start_watchdog(540, "coordinator_fault_gpu_test");
  KernelCatalog catalog;
  CudaIntrospector introspector;
  try {
    catalog.add(parse_manifest(manifest_json(), "coordinator_fault_gpu_test"), registry(), &introspector);
  } catch (const std::exception& e) {
    std::printf("FAIL binding: %s\n", e.what());
    return 1;
  }
  for (PolicyKind kind : kPolicies) run_launch_errors(kind, catalog);
  std::printf("device faults, one child process per policy:\n");
  for (PolicyKind kind : kPolicies) run_fault_child(argv[0], kind);
  std::printf(failures ? "%d FAILURES\n" : "all passed\n", failures.load());
  return failures ? 1 : 0;
}
