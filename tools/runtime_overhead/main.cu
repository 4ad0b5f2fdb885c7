// runtime_overhead: what the coordinator costs against launching the same
// kernels directly with <<<>>>, per policy, on the current GPU.
//
//   1. CPU cost per submitted launch: each Coordinator::submit() call timed
//      on the host (median, p99), next to each <<<>>> call of the same kernel.
//   2. Added latency of a critical request with no normal work present: a
//      request of K spin kernels (~kernel_us each) from begin_request to the
//      return of wait(), against K <<<>>> launches on a highest-priority
//      stream and cudaStreamSynchronize. Direct and coordinated requests
//      alternate, so drift affects both alike.
// Targets (issue 5): <= 10 us per launch, <= 2 % added critical latency.
//
//   runtime_overhead [--out FILE.json] [--commit SHA] [--device N] [--launches N]
//                    [--requests N] [--kernels-per-request K] [--kernel-us US]
#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "miriam/coordinator.h"
#include "stats.h"  // tools/elastic_check: median, percentile

#ifndef MIRIAM_GIT_COMMIT
#define MIRIAM_GIT_COMMIT ""
#endif

namespace {

using Clock = std::chrono::steady_clock;
using miriam::check::median;
using miriam::check::percentile;

__global__ void noop(int* sink) {
  if (sink && threadIdx.x == 1024) *sink = 1;  // never true: keeps the parameter used
}

// Busy for `cycles` SM clocks: a kernel of a known, steady duration.
__global__ void spin(long long cycles, int* sink) {
  const long long start = clock64();
  while (clock64() - start < cycles) {
  }
  if (sink && threadIdx.x == 1024) *sink = 1;
}

struct Options {
  std::string out = "runtime_overhead.json";
  std::string commit = MIRIAM_GIT_COMMIT;
  int device = 0;
  int launches = 4000;   // timed submit calls per policy
  int requests = 300;    // timed critical requests per policy
  int kernels_per_request = 10;
  double kernel_us = 100;
};

double us_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

nlohmann::json summary(const std::vector<double>& v) {
  return {{"median", median(v)}, {"p99", percentile(v, 99)}, {"samples", v.size()}};
}

#define CHECK_CUDA(call)                                                                             \
  do {                                                                                               \
    const cudaError_t e_ = (call);                                                                   \
    if (e_ != cudaSuccess) {                                                                         \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_));    \
      std::exit(1);                                                                                  \
    }                                                                                                \
  } while (0)

// Launches are timed in batches that the GPU drains in between, so no call
// ever blocks on a full launch queue.
constexpr int kBatch = 64;

struct Direct {
  cudaStream_t stream = nullptr;
  std::vector<double> launch_us, request_us;
};

struct Coordinated {
  std::string name;
  std::unique_ptr<miriam::Coordinator> coord;
  miriam::TaskId task = 0;
  std::vector<double> submit_us, request_us;
  bool failed = false;
};

void direct_launches(Direct& d, int* sink, int n) {
  for (int done = 0; done < n; done += kBatch) {
    for (int i = 0; i < kBatch; ++i) {
      const Clock::time_point t0 = Clock::now();
      noop<<<1, 32, 0, d.stream>>>(sink);
      d.launch_us.push_back(us_since(t0));
    }
    CHECK_CUDA(cudaStreamSynchronize(d.stream));
  }
}

void coordinated_launches(Coordinated& c, int* sink, int n) {
  for (int done = 0; done < n && !c.failed; done += kBatch) {
    miriam::RequestId id = 0;
    c.coord->begin_request(c.task, &id);
    void* args[] = {&sink};
    for (int i = 0; i < kBatch; ++i) {
      const Clock::time_point t0 = Clock::now();
      const miriam::Status st = c.coord->submit(c.task, miriam::KernelLaunch{(const void*)&noop, 1, 32, 0, args});
      c.submit_us.push_back(us_since(t0));
      c.failed |= st != miriam::Status::kSuccess;
    }
    c.coord->end_request(c.task);
    c.failed |= c.coord->wait(id, nullptr, 10000) != miriam::Status::kSuccess;
  }
}

double direct_request(Direct& d, int* sink, long long cycles, int kernels, dim3 grid) {
  const Clock::time_point t0 = Clock::now();
  for (int k = 0; k < kernels; ++k) spin<<<grid, 128, 0, d.stream>>>(cycles, sink);
  CHECK_CUDA(cudaStreamSynchronize(d.stream));
  return us_since(t0);
}

double coordinated_request(Coordinated& c, int* sink, long long cycles, int kernels, dim3 grid) {
  void* args[] = {&cycles, &sink};
  const Clock::time_point t0 = Clock::now();
  miriam::RequestId id = 0;
  c.coord->begin_request(c.task, &id);
  for (int k = 0; k < kernels; ++k)
    c.failed |= c.coord->submit(c.task, miriam::KernelLaunch{(const void*)&spin, grid, 128, 0, args}) !=
                miriam::Status::kSuccess;
  c.coord->end_request(c.task);
  c.failed |= c.coord->wait(id, nullptr, 10000) != miriam::Status::kSuccess;
  return us_since(t0);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "runtime_overhead: %s needs a value\n", flag.c_str());
      std::exit(2);
    }
    const std::string value = argv[++i];
    if (flag == "--out") o.out = value;
    else if (flag == "--commit") o.commit = value;
    else if (flag == "--device") o.device = std::stoi(value);
    else if (flag == "--launches") o.launches = std::stoi(value);
    else if (flag == "--requests") o.requests = std::stoi(value);
    else if (flag == "--kernels-per-request") o.kernels_per_request = std::stoi(value);
    else if (flag == "--kernel-us") o.kernel_us = std::stod(value);
    else {
      std::fprintf(stderr, "runtime_overhead: unknown option %s\n", flag.c_str());
      std::exit(2);
    }
  }
  return o;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices <= o.device) {
    std::printf("no CUDA device %d: skipping\n", o.device);
    return 77;
  }
  CHECK_CUDA(cudaSetDevice(o.device));
  cudaDeviceProp prop{};
  CHECK_CUDA(cudaGetDeviceProperties(&prop, o.device));
  int clock_khz = 0, driver = 0, runtime = 0;
  CHECK_CUDA(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, o.device));
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  const long long cycles = static_cast<long long>(o.kernel_us * clock_khz / 1000.0);
  const dim3 grid(prop.multiProcessorCount);  // a kernel over every SM, as a DNN layer would be

  int* sink = nullptr;
  CHECK_CUDA(cudaMalloc(&sink, sizeof(int)));
  int lowest = 0, highest = 0;
  CHECK_CUDA(cudaDeviceGetStreamPriorityRange(&lowest, &highest));
  Direct direct;
  CHECK_CUDA(cudaStreamCreateWithPriority(&direct.stream, cudaStreamNonBlocking, highest));

  // One coordinator per policy (tracing off, as in production), plus miriam with tracing.
  std::vector<Coordinated> runs;
  for (miriam::PolicyKind kind : {miriam::PolicyKind::kSequential, miriam::PolicyKind::kMultistream,
                                  miriam::PolicyKind::kPriority, miriam::PolicyKind::kIb, miriam::PolicyKind::kMiriam}) {
    for (bool tracing : {false, true}) {
      if (tracing && kind != miriam::PolicyKind::kMiriam) continue;
      Coordinated c;
      c.name = std::string(miriam::to_string(kind)) + (tracing ? "+tracing" : "");
      miriam::CoordinatorConfig config;
      config.device = o.device;
      config.policy = kind;
      config.tracing = tracing;
      c.coord = std::make_unique<miriam::Coordinator>(config);
      if (c.coord->initialize() != miriam::Status::kSuccess ||
          c.coord->add_task(miriam::TaskDesc{"critical", miriam::Criticality::kCritical, 0, std::nullopt}, &c.task) !=
              miriam::Status::kSuccess) {
        std::fprintf(stderr, "runtime_overhead: coordinator %s failed to start\n", c.name.c_str());
        return 1;
      }
      runs.push_back(std::move(c));
    }
  }

  // Warm-up: module loading, first launches, allocator paths.
  direct_launches(direct, sink, 4 * kBatch);
  for (int i = 0; i < 5; ++i) direct_request(direct, sink, cycles, o.kernels_per_request, grid);
  for (Coordinated& c : runs) {
    coordinated_launches(c, sink, 4 * kBatch);
    for (int i = 0; i < 5; ++i) coordinated_request(c, sink, cycles, o.kernels_per_request, grid);
    c.submit_us.clear();
    c.request_us.clear();
  }
  direct.launch_us.clear();
  direct.request_us.clear();

  // Interleaved: one batch / one request of each in turn.
  for (int done = 0; done < o.launches; done += kBatch) {
    direct_launches(direct, sink, kBatch);
    for (Coordinated& c : runs) coordinated_launches(c, sink, kBatch);
  }
  for (int r = 0; r < o.requests; ++r) {
    direct.request_us.push_back(direct_request(direct, sink, cycles, o.kernels_per_request, grid));
    for (Coordinated& c : runs)
      c.request_us.push_back(coordinated_request(c, sink, cycles, o.kernels_per_request, grid));
  }

  using nlohmann::json;
  const double direct_request_median = median(direct.request_us);
  json policies = json::array();
  bool all_met = true;
  fmt::print("{} ({} SMs), {} kernels of {} us per critical request\n", prop.name, prop.multiProcessorCount,
             o.kernels_per_request, o.kernel_us);
  fmt::print("{:<18} {:>14} {:>12} {:>16} {:>14}\n", "", "launch us med", "p99", "request us med", "added");
  fmt::print("{:<18} {:>14.2f} {:>12.2f} {:>16.1f} {:>14}\n", "direct <<<>>>", median(direct.launch_us),
             percentile(direct.launch_us, 99), direct_request_median, "-");
  for (const Coordinated& c : runs) {
    const double request_median = median(c.request_us);
    const double added_us = request_median - direct_request_median;
    const double added_pct = 100.0 * added_us / direct_request_median;
    const bool launch_ok = median(c.submit_us) <= 10.0;
    const bool latency_ok = added_pct <= 2.0;
    all_met &= launch_ok && latency_ok && !c.failed;
    fmt::print("{:<18} {:>14.2f} {:>12.2f} {:>16.1f} {:>13.2f}%{}\n", c.name, median(c.submit_us),
               percentile(c.submit_us, 99), request_median, added_pct, c.failed ? "  (FAILED calls)" : "");
    policies.push_back({{"policy", c.name},
                        {"submit_cpu_us", summary(c.submit_us)},
                        {"critical_request_us", summary(c.request_us)},
                        {"added_latency_us", added_us},
                        {"added_latency_percent", added_pct},
                        {"failed_calls", c.failed},
                        {"targets_met", {{"submit_le_10us", launch_ok}, {"added_latency_le_2pct", latency_ok}}}});
  }
  const json doc = {
      {"tool", "runtime_overhead"},
      {"card", prop.name},
      {"sm_count", prop.multiProcessorCount},
      {"device", o.device},
      {"driver_version", driver},
      {"runtime_version", runtime},
      {"date", utc_now()},
      {"commit", o.commit},
      {"settings",
       {{"launches", o.launches}, {"requests", o.requests}, {"kernels_per_request", o.kernels_per_request},
        {"kernel_us", o.kernel_us}, {"kernel_grid", grid.x}, {"batch", kBatch}}},
      {"direct", {{"launch_cpu_us", summary(direct.launch_us)}, {"critical_request_us", summary(direct.request_us)}}},
      {"policies", policies},
      {"targets", {{"submit_cpu_us_median", 10.0}, {"added_latency_percent", 2.0}}},
      {"all_targets_met", all_met}};
  std::ofstream out(o.out);
  out << doc.dump(2) << "\n";
  if (!out) {
    std::fprintf(stderr, "runtime_overhead: cannot write %s\n", o.out.c_str());
    return 1;
  }
  fmt::print("wrote {}; all targets met: {}\n", o.out, all_met ? "yes" : "no");
  bool any_failed = false;
  for (const Coordinated& c : runs) any_failed |= c.failed;
  runs.clear();
  cudaStreamDestroy(direct.stream);
  cudaFree(sink);
  return any_failed ? 1 : 0;
}
