// GPU test of the coordinator: every policy runs a critical and a normal
// workload; outputs must equal a CPU reference (what each request computes
// alone) bit for bit, nothing may deadlock (every wait has a timeout), and the
// trace must be valid JSON. Under miriam the normal kernels run persistent and
// critical requests arriving mid-run must preempt and resume them. A second
// workload puts critical kernels on every SM that leave room for no full
// normal block: under miriam the normal kernel must go out as shrunk shards.
// Then two coordinators (on devices 0 and 1, or both on 0) run side by side.
// Run on the device machine:  ./coordinator_gpu_test [trace-dir] [--quick]
// (--quick: a tenth of the normal work, for compute-sanitizer runs).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "miriam/coordinator.h"
#include "miriam/cuda_introspector.h"
#include "gpu_expect.h"
#include "gpu_test_start.h"
#include "test_kernels.cuh"

namespace {

using namespace miriam;
using namespace coordinator_test;


constexpr int kThreads = 256;
constexpr int kCriticalN = kThreads * 66;      // one block per SM on half an H100
int kChurnN = kThreads * 40000;  // ~38 waves of ~70 µs blocks: milliseconds per kernel
int kRounds = 4000;
bool quick = false;  // kernels too short to be sure a critical request arrives mid-run
constexpr int kCriticalLaunches = 10, kCriticalRequests = 20, kChurnLaunches = 2;

// The buffers of one workload on one device, and their expected contents.
struct Workload {
  int device = 0;
  float* small = nullptr;
  unsigned *churned = nullptr, *churned_p = nullptr;
  std::vector<float> host_small;
  std::vector<unsigned> host_churn;

  explicit Workload(int dev) : device(dev), host_small(kCriticalN), host_churn(kChurnN) {
    cudaSetDevice(device);
    for (int i = 0; i < kCriticalN; ++i) host_small[i] = static_cast<float>(i % 100) * 1e-2f;
    for (int i = 0; i < kChurnN; ++i) host_churn[i] = static_cast<unsigned>(i) * 2654435761u;
    cudaMalloc(&small, kCriticalN * sizeof(float));
    cudaMalloc(&churned, kChurnN * sizeof(unsigned));
    cudaMalloc(&churned_p, kChurnN * sizeof(unsigned));
    cudaMemcpy(small, host_small.data(), kCriticalN * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(churned, host_churn.data(), kChurnN * sizeof(unsigned), cudaMemcpyHostToDevice);
    cudaMemcpy(churned_p, host_churn.data(), kChurnN * sizeof(unsigned), cudaMemcpyHostToDevice);
  }
  ~Workload() {
    cudaSetDevice(device);
    cudaFree(small), cudaFree(churned), cudaFree(churned_p);
  }

  void check(const char* who) {
    cudaSetDevice(device);
    std::vector<float> got_small(kCriticalN);
    std::vector<unsigned> got(kChurnN), got_p(kChurnN);
    cudaMemcpy(got_small.data(), small, kCriticalN * sizeof(float), cudaMemcpyDeviceToHost);
    cudaMemcpy(got.data(), churned, kChurnN * sizeof(unsigned), cudaMemcpyDeviceToHost);
    cudaMemcpy(got_p.data(), churned_p, kChurnN * sizeof(unsigned), cudaMemcpyDeviceToHost);
    affine_reference(host_small, kThreads, kCriticalLaunches * kCriticalRequests);
    churn_reference(host_churn, kThreads, kRounds, kChurnLaunches);
    EXPECT(std::memcmp(got_small.data(), host_small.data(), kCriticalN * sizeof(float)) == 0,
           "%s: critical output differs", who);
    EXPECT(std::memcmp(got.data(), host_churn.data(), kChurnN * sizeof(unsigned)) == 0,
           "%s: normal output (churn: sliced + persistent) differs", who);
    EXPECT(std::memcmp(got_p.data(), host_churn.data(), kChurnN * sizeof(unsigned)) == 0,
           "%s: normal output (churn_p: persistent only) differs", who);
  }
};

struct Outcome {
  double critical_gpu_us = 0;
  double normal_gpu_us = 0;
};

// A long normal request (churn, churn_p, interleaved), then critical requests
// one after another while it runs. With `wait_for_persistent`, the critical
// requests start only once a persistent launch is on the GPU, so they
// arrive mid-run and must preempt it.
Outcome run_workload(Coordinator& coord, Workload& w, const char* who, bool wait_for_persistent) {
  Outcome out;
  TaskId critical = 0, normal = 0;
  EXPECT(coord.add_task(TaskDesc{"detect", Criticality::kCritical, 0, 1e6}, &critical) == Status::kSuccess, "%s", who);
  EXPECT(coord.add_task(TaskDesc{"segment", Criticality::kNormal, 0, std::nullopt}, &normal) == Status::kSuccess,
         "%s", who);
  RequestId normal_request = 0;
  coord.begin_request(normal, &normal_request);
  for (int i = 0; i < kChurnLaunches; ++i) {
    for (unsigned* buffer : {w.churned, w.churned_p}) {
      int n = kChurnN, rounds = kRounds;
      void* args[] = {&buffer, &n, &rounds};
      const void* kernel = buffer == w.churned ? reinterpret_cast<const void*>(&churn)
                                               : reinterpret_cast<const void*>(&churn_p);
      const Status st = coord.submit(normal, KernelLaunch{kernel, dim3(kChurnN / kThreads), dim3(kThreads), 0, args});
      EXPECT(st == Status::kSuccess, "%s: submit normal: %s", who, to_string(st));
    }
  }
  coord.end_request(normal);

  if (wait_for_persistent) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (coord.stats().persistent_launches == 0 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    EXPECT(coord.stats().persistent_launches > 0, "%s: no persistent launch within 5 s", who);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // let it get going on the GPU
  }

  for (int r = 0; r < kCriticalRequests; ++r) {
    RequestId id = 0;
    coord.begin_request(critical, &id);
    for (int i = 0; i < kCriticalLaunches; ++i) {
      int n = kCriticalN;
      float* x = w.small;
      void* args[] = {&x, &n};
      const Status st = coord.submit(critical, KernelLaunch{reinterpret_cast<const void*>(&affine),
                                                            dim3(kCriticalN / kThreads), dim3(kThreads), 0, args,
                                                            "affine(critical)"});
      EXPECT(st == Status::kSuccess, "%s: submit critical: %s", who, to_string(st));
    }
    coord.end_request(critical);
    RequestResult result;
    const Status st = coord.wait(id, &result, 20000);
    EXPECT(st == Status::kSuccess, "%s: critical request %d: %s %s", who, r, to_string(st), result.message.c_str());
    out.critical_gpu_us += (result.gpu_end_us - result.gpu_begin_us) / kCriticalRequests;
  }
  RequestResult normal_result;
  const Status st = coord.wait(normal_request, &normal_result, 60000);
  EXPECT(st == Status::kSuccess, "%s: normal request: %s %s", who, to_string(st), normal_result.message.c_str());
  out.normal_gpu_us = normal_result.gpu_end_us - normal_result.gpu_begin_us;
  EXPECT(coord.synchronize() == Status::kSuccess, "%s: synchronize", who);
  return out;
}

// The shrunk-shard workload: a normal kernel with blocks of 1024 threads
// (churn_s: sliced + shrunk), and critical requests of kernels that each put
// 6 blocks of 256 threads on every SM for ~60 µs. Beside them only 512
// threads per SM are left: no full normal block, but a shrunk one at f = 2.
constexpr int kSpreadThreads = 1024, kSpreadBlocks = 4096, kSpreadRounds = 1000;
int kSpreadLaunches = 8;
constexpr int kWideThreads = 256, kWideBlocksPerSm = 6, kWidePerRequest = 4;

struct ShrunkWorkload {
  unsigned *spread = nullptr, *wide = nullptr;
  int wide_n = 0;
  std::vector<unsigned> host_spread, host_wide;

  ShrunkWorkload() : host_spread(static_cast<size_t>(kSpreadThreads) * kSpreadBlocks) {
    int sms = 0;
    cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
    wide_n = kWideThreads * kWideBlocksPerSm * sms;
    host_wide.resize(wide_n);
    for (size_t i = 0; i < host_spread.size(); ++i) host_spread[i] = static_cast<unsigned>(i) * 40503u;
    for (int i = 0; i < wide_n; ++i) host_wide[i] = static_cast<unsigned>(i) * 2246822519u;
    cudaMalloc(&spread, host_spread.size() * sizeof(unsigned));
    cudaMalloc(&wide, host_wide.size() * sizeof(unsigned));
    cudaMemcpy(spread, host_spread.data(), host_spread.size() * sizeof(unsigned), cudaMemcpyHostToDevice);
    cudaMemcpy(wide, host_wide.data(), host_wide.size() * sizeof(unsigned), cudaMemcpyHostToDevice);
  }
  ~ShrunkWorkload() { cudaFree(spread), cudaFree(wide); }

  void run(Coordinator& coord, const char* who) {
    TaskId critical = 0, normal = 0;
    EXPECT(coord.add_task(TaskDesc{"detect-wide", Criticality::kCritical, 0, 1e6}, &critical) == Status::kSuccess,
           "%s", who);
    EXPECT(coord.add_task(TaskDesc{"spread", Criticality::kNormal, 0, std::nullopt}, &normal) == Status::kSuccess,
           "%s", who);
    RequestId normal_request = 0;
    for (int r = 0; r < kCriticalRequests; ++r) {
      RequestId id = 0;
      coord.begin_request(critical, &id);
      for (int k = 0; k < kWidePerRequest; ++k) {
        unsigned* x = wide;
        int n = wide_n, rounds = kRounds;
        void* args[] = {&x, &n, &rounds};
        const Status st = coord.submit(critical, KernelLaunch{reinterpret_cast<const void*>(&churn),
                                                              dim3(wide_n / kWideThreads), dim3(kWideThreads), 0,
                                                              args, "churn(critical, every SM)"});
        EXPECT(st == Status::kSuccess, "%s: submit wide critical: %s", who, to_string(st));
      }
      coord.end_request(critical);
      // The normal work arrives while the first critical request runs, so
      // its first decisions already see a critical kernel on every SM.
      if (r == 0) submit_spread(coord, normal, &normal_request, who);
      RequestResult result;
      EXPECT(coord.wait(id, &result, 20000) == Status::kSuccess, "%s: wide critical request %d: %s", who, r,
             result.message.c_str());
    }
    RequestResult normal_result;
    EXPECT(coord.wait(normal_request, &normal_result, 60000) == Status::kSuccess, "%s: spread request: %s", who,
           normal_result.message.c_str());
    EXPECT(coord.synchronize() == Status::kSuccess, "%s: synchronize", who);
  }

  void submit_spread(Coordinator& coord, TaskId normal, RequestId* request, const char* who) {
    coord.begin_request(normal, request);
    for (int i = 0; i < kSpreadLaunches; ++i) {
      unsigned* x = spread;
      int n = kSpreadThreads * kSpreadBlocks, rounds = kSpreadRounds;
      void* args[] = {&x, &n, &rounds};
      const Status st = coord.submit(normal, KernelLaunch{reinterpret_cast<const void*>(&churn_s),
                                                          dim3(kSpreadBlocks), dim3(kSpreadThreads), 0, args});
      EXPECT(st == Status::kSuccess, "%s: submit spread: %s", who, to_string(st));
    }
    coord.end_request(normal);
  }

  void check(const char* who) {
    std::vector<unsigned> got_spread(host_spread.size()), got_wide(host_wide.size());
    cudaMemcpy(got_spread.data(), spread, got_spread.size() * sizeof(unsigned), cudaMemcpyDeviceToHost);
    cudaMemcpy(got_wide.data(), wide, got_wide.size() * sizeof(unsigned), cudaMemcpyDeviceToHost);
    churn_reference(host_spread, kSpreadThreads, kSpreadRounds, kSpreadLaunches);
    churn_reference(host_wide, kWideThreads, kRounds, kCriticalRequests * kWidePerRequest);
    EXPECT(got_spread == host_spread, "%s: normal output (churn_s: sliced + shrunk) differs", who);
    EXPECT(got_wide == host_wide, "%s: critical output (churn on every SM) differs", who);
  }
};

void check_trace(const Coordinator& coord, const std::string& path) {
  EXPECT(coord.write_trace(path), "write %s", path.c_str());
  std::ifstream in(path);
  const nlohmann::json trace = nlohmann::json::parse(in, nullptr, false);
  EXPECT(!trace.is_discarded() && trace.contains("traceEvents") && trace["traceEvents"].size() > 1,
         "%s is not a valid trace", path.c_str());
  // Host times: submitted, then issued, and issued before the kernel ended
  // (the clocks share their zero to within the start event's latency).
  int out_of_order = 0;
  for (const TraceSpan& span : coord.trace())
    if (span.submitted_us > span.issued_us || span.issued_us > span.end_us + 50.0) ++out_of_order;
  EXPECT(out_of_order == 0, "%s: %d spans with host times out of order", path.c_str(), out_of_order);
}

void run_policy(PolicyKind kind, const KernelCatalog& catalog, const std::string& trace_dir) {
  CoordinatorConfig config;
  config.policy = kind;
  Coordinator coord(config, &catalog);
  const Status st = coord.initialize();
  EXPECT(st == Status::kSuccess, "initialize: %s", to_string(st));
  if (st != Status::kSuccess) return;
  Workload w(0);
  const bool miriam = kind == PolicyKind::kMiriam;
  const Outcome out = run_workload(coord, w, to_string(kind), miriam);
  w.check(to_string(kind));
  check_trace(coord, trace_dir + "/trace_" + to_string(kind) + ".json");

  const CoordinatorStats before_shrunk = coord.stats();
  ShrunkWorkload shrunk_work;
  shrunk_work.run(coord, to_string(kind));
  shrunk_work.check(to_string(kind));
  const CoordinatorStats stats = coord.stats();
  const unsigned long long shrunk_shards = stats.shards_shrunk - before_shrunk.shards_shrunk;
  if (miriam) {
    EXPECT(quick || shrunk_shards > 0, "miriam issued no shrunk shard beside critical kernels on every SM");
  } else {
    EXPECT(stats.shards_shrunk == 0, "%s issued shrunk shards", to_string(kind));
  }
  std::size_t persistent_spans = 0;
  for (const TraceSpan& span : coord.trace()) persistent_spans += span.persistent;
  if (miriam) {
    // Critical requests arrived while persistent churn ran on every SM: each
    // must have asked it to stop, and at least one stop must have landed mid-run.
    EXPECT(stats.persistent_launches > 0, "miriam issued no persistent launch");
    EXPECT(quick || stats.preemptions_requested > 0, "miriam requested no preemption");
    EXPECT(quick || stats.preemptions > 0, "no persistent launch stopped with blocks left");
    EXPECT(quick || stats.resumes > 0, "no preempted kernel resumed");
    EXPECT(persistent_spans > 0, "no persistent span in the trace");
    EXPECT(stats.stop_request_errors == 0, "stop requests failed");
    std::printf("miriam: drain after a stop (preemption latency on the GPU) mean %.1f us, max %.1f us\n",
                stats.preemptions ? stats.drain_us_total / stats.preemptions : 0.0, stats.drain_us_max);
  } else {
    EXPECT(stats.persistent_launches == 0 && stats.preemptions_requested == 0, "%s used persistent launches",
           to_string(kind));
  }
  std::printf("%-12s critical request GPU span mean %8.1f us | normal %8.1f us | kernels %llu shards %llu "
              "(shrunk %llu) persistent %llu (loop-free %llu, original %llu, preempt requests %llu, stopped %llu, resumes %llu, regrows %llu) holds %llu | submit %.2f us/launch\n",
              to_string(kind), out.critical_gpu_us, out.normal_gpu_us, (unsigned long long)stats.kernels_issued,
              (unsigned long long)stats.shards_issued, (unsigned long long)stats.shards_shrunk,
              (unsigned long long)stats.persistent_launches, (unsigned long long)stats.persistent_loop_free,
              (unsigned long long)stats.persistent_original,
              (unsigned long long)stats.preemptions_requested, (unsigned long long)stats.preemptions,
              (unsigned long long)stats.resumes, (unsigned long long)stats.regrows, (unsigned long long)stats.holds,
              stats.submit_cpu_us_total / std::max<std::uint64_t>(stats.launches_submitted, 1));
}

// Two coordinators in one process, each with its own streams, events, kernel
// cache and dispatcher, running at the same time from two threads.
void run_two_coordinators(const KernelCatalog& catalog, int devices, const std::string& trace_dir) {
  const int second = devices > 1 ? 1 : 0;
  CoordinatorConfig a_config, b_config;
  a_config.device = 0;
  b_config.device = second;
  a_config.policy = PolicyKind::kMiriam;
  b_config.policy = PolicyKind::kPriority;
  Coordinator a(a_config, &catalog), b(b_config, &catalog);
  EXPECT(a.initialize() == Status::kSuccess && b.initialize() == Status::kSuccess, "two coordinators initialize");
  EXPECT(a.device() == 0 && b.device() == second, "devices");
  Workload wa(0), wb(second);
  std::thread ta([&] { run_workload(a, wa, "coordinator A (miriam)", false); });
  std::thread tb([&] { run_workload(b, wb, "coordinator B (priority)", false); });
  ta.join();
  tb.join();
  wa.check("coordinator A");
  wb.check("coordinator B");
  check_trace(a, trace_dir + "/trace_pair_a.json");
  check_trace(b, trace_dir + "/trace_pair_b.json");
  std::printf("two coordinators on devices 0 and %d: done\n", second);
}

// Critical tasks' streams follow TaskDesc::priority (the later, higher task
// re-ranks the earlier, idle one); normal work keeps the lowest priority.
void check_stream_ranks(const KernelCatalog& catalog) {
  for (bool order : {true, false}) {
    CoordinatorConfig config;
    config.policy = PolicyKind::kMiriam;
    config.order_critical_tasks = order;
    Coordinator coord(config, &catalog);
    EXPECT(coord.initialize() == Status::kSuccess, "initialize");
    TaskId low = 0, high = 0, normal = 0;
    EXPECT(coord.add_task({"low", Criticality::kCritical, 0}, &low) == Status::kSuccess, "add low");
    EXPECT(coord.add_task({"normal", Criticality::kNormal}, &normal) == Status::kSuccess, "add normal");
    EXPECT(coord.add_task({"high", Criticality::kCritical, 3}, &high) == Status::kSuccess, "add high");
    int lowest = 0, highest = 0, p_low = 0, p_high = 0, p_normal = 0;
    cudaDeviceGetStreamPriorityRange(&lowest, &highest);
    EXPECT(cudaStreamGetPriority(coord.stream_of(low), &p_low) == cudaSuccess, "priority of low");
    EXPECT(cudaStreamGetPriority(coord.stream_of(high), &p_high) == cudaSuccess, "priority of high");
    EXPECT(cudaStreamGetPriority(coord.stream_of(normal), &p_normal) == cudaSuccess, "priority of normal");
    EXPECT(p_high == highest, "high task at %d, device highest %d", p_high, highest);
    EXPECT(p_normal == lowest, "normal task at %d, device lowest %d", p_normal, lowest);
    if (order && lowest - highest >= 2) {
      EXPECT(p_low == highest + 1, "order on: low task at %d, expected %d", p_low, highest + 1);
    } else {
      EXPECT(p_low == highest, "order %s: low task at %d, expected %d", order ? "on" : "off", p_low, highest);
    }
    std::printf("stream ranks (order %s): high %d, low %d, normal %d (device %d..%d)\n", order ? "on" : "off", p_high,
                p_low, p_normal, highest, lowest);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int devices = gpu_test_start();
  if (devices == 0) return 77;  // ctest: skipped
  const std::string trace_dir = argc > 1 ? argv[1] : ".";
  quick = argc > 2 && std::string(argv[2]) == "--quick";
  if (quick) kChurnN /= 10, kRounds /= 10, kSpreadLaunches = 2;
  KernelCatalog catalog;
  CudaIntrospector introspector;
  try {
    catalog.add(parse_manifest(manifest_json(), "coordinator_gpu_test"), registry(), &introspector);
  } catch (const std::exception& e) {
    std::printf("FAIL binding: %s\n", e.what());
    return 1;
  }
  check_stream_ranks(catalog);
  for (PolicyKind kind : {PolicyKind::kSequential, PolicyKind::kMultistream, PolicyKind::kPriority, PolicyKind::kIb,
                          PolicyKind::kMiriam})
    run_policy(kind, catalog, trace_dir);
  run_two_coordinators(catalog, devices, trace_dir);
  std::printf(failures ? "%d FAILURES\n" : "all passed\n", failures.load());
  return failures ? 1 : 0;
}
