// GPU test of the coordinator: every policy runs a critical and a normal
// workload; outputs must equal a CPU reference bit for bit, nothing may
// deadlock, and the trace must be valid JSON. Run on the device machine:
//   ./coordinator_gpu_test [trace-dir]
// The sliced variant and its registration are written by hand here the way
// miriamc emits them, so this test does not depend on the compiler.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "miriam/coordinator.h"
#include "miriam/cuda_introspector.h"
#include "miriam/elastic.cuh"

namespace {

// x[i] = x[i] * 3 + blockIdx.x (with the logical block index).
__global__ void affine(float* x, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  // Explicit roundings: no FMA contraction, so the CPU reference matches bit for bit.
  if (i < n) x[i] = __fadd_rn(__fmul_rn(x[i], 3.0f), static_cast<float>(blockIdx.x % 7));
}

__global__ void affine__miriam_sliced(miriam::Slice slice, float* x, int n) {
  if (!miriam::slice_block_active(slice)) return;
  const uint3 block = miriam::slice_block_index(slice);
  const int i = block.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] = __fadd_rn(__fmul_rn(x[i], 3.0f), static_cast<float>(block.x % 7));
}

const miriam::VariantSymbol affine_variants[] = {
    {"sliced", "affine__miriam_sliced", reinterpret_cast<const void*>(&affine__miriam_sliced)}};
const miriam::KernelSymbol kernels[] = {
    {"affine", "", "_Z6affinePfi", reinterpret_cast<const void*>(&affine), affine_variants, 1}};
const std::string kHash(64, 'c');
const miriam::SourceRegistration registration{"coordinator_gpu_test.cu", kHash.c_str(), kernels, 1};
const miriam::Registrar registrar(registration);

std::string manifest_json() {
  nlohmann::json param_x = {{"name", "x"}, {"type", "float *"}, {"size", 8}, {"alignment", 8}};
  nlohmann::json param_n = {{"name", "n"}, {"type", "int"}, {"size", 4}, {"alignment", 4}};
  nlohmann::json features = {{"barriers", false}, {"warp_level_ops", false}, {"atomics", false},
                             {"dynamic_shared_memory", false}, {"static_shared_memory", false},
                             {"reads_block_idx", true}, {"reads_grid_dim", false}, {"early_return", false},
                             {"grid_sync", false}, {"cooperative_groups", false},
                             {"device_callees_reading_builtins", nlohmann::json::array()}};
  nlohmann::json kernel = {
      {"name", "affine"}, {"qualified_name", "affine"},
      {"location", {{"file", "t.cu"}, {"line", 1}, {"column", 1}}},
      {"is_template", false}, {"params", {param_x, param_n}},
      {"instantiations", {{{"mangled", "_Z6affinePfi"}, {"template_args", ""}, {"params", {param_x, param_n}},
                           {"static_shared_bytes", 0}}}},
      {"launch_bounds", nullptr}, {"features", features},
      {"variants", {{{"kind", "sliced"}, {"entry", "affine__miriam_sliced"}, {"mangled", {"x"}},
                     {"extra_params", {{{"name", "slice"}, {"type", "miriam::Slice"}, {"position", 0}}}}}}},
      {"refused", nlohmann::json::array()}};
  return nlohmann::json{{"schema_version", 1},
                        {"tool", {{"name", "miriamc"}, {"version", "t"}, {"clang_version", "22"}}},
                        {"source", {{"path", "t.cu"}, {"sha256", kHash}}},
                        {"output", "t.elastic.cu"}, {"arch", "sm_90"}, {"kernels", {kernel}}}
      .dump();
}

void reference(std::vector<float>& x, int threads, int times) {
  for (int t = 0; t < times; ++t)
    for (size_t i = 0; i < x.size(); ++i) {
      const volatile float product = x[i] * 3.0f;  // rounded, as __fmul_rn
      x[i] = product + static_cast<float>((i / threads) % 7);
    }
}

int failures = 0;
#define EXPECT(cond, ...)                                   \
  do {                                                      \
    if (!(cond)) {                                          \
      std::printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      std::printf(__VA_ARGS__);                             \
      std::printf("\n");                                    \
      ++failures;                                           \
    }                                                       \
  } while (0)

void run_policy(miriam::PolicyKind kind, const miriam::KernelCatalog& catalog, const std::string& trace_dir) {
  using namespace miriam;
  CoordinatorConfig config;
  config.policy = kind;
  Coordinator coord(config, &catalog);
  Status st = coord.initialize();
  EXPECT(st == Status::kSuccess, "initialize: %s", to_string(st));
  if (st != Status::kSuccess) return;
  TaskId critical = 0, normal = 0;
  coord.add_task(TaskDesc{"detect", Criticality::kCritical, 0, 1e6}, &critical);
  coord.add_task(TaskDesc{"segment", Criticality::kNormal, 0, std::nullopt}, &normal);

  const int threads = 256, n_big = 256 * 40000, n_small = 256 * 66;
  const int normal_launches = 4, critical_launches = 10, critical_requests = 20;
  float *big = nullptr, *small = nullptr;
  cudaMalloc(&big, n_big * sizeof(float));
  cudaMalloc(&small, n_small * sizeof(float));
  std::vector<float> host_big(n_big), host_small(n_small);
  for (int i = 0; i < n_big; ++i) host_big[i] = static_cast<float>(i % 1000) * 1e-3f;
  for (int i = 0; i < n_small; ++i) host_small[i] = static_cast<float>(i % 100) * 1e-2f;
  cudaMemcpy(big, host_big.data(), n_big * sizeof(float), cudaMemcpyHostToDevice);
  cudaMemcpy(small, host_small.data(), n_small * sizeof(float), cudaMemcpyHostToDevice);

  // Normal: one long request; critical: requests one after another meanwhile.
  RequestId normal_request = 0;
  coord.begin_request(normal, &normal_request);
  for (int i = 0; i < normal_launches; ++i) {
    int n = n_big;
    void* args[] = {&big, &n};
    st = coord.submit(normal, KernelLaunch{reinterpret_cast<const void*>(&affine), dim3(n_big / threads),
                                           dim3(threads), 0, args, "affine(normal)"});
    EXPECT(st == Status::kSuccess, "submit normal: %s", to_string(st));
  }
  coord.end_request(normal);

  double critical_gpu_us = 0;
  for (int r = 0; r < critical_requests; ++r) {
    RequestId id = 0;
    coord.begin_request(critical, &id);
    for (int i = 0; i < critical_launches; ++i) {
      int n = n_small;
      void* args[] = {&small, &n};
      st = coord.submit(critical, KernelLaunch{reinterpret_cast<const void*>(&affine), dim3(n_small / threads),
                                               dim3(threads), 0, args, "affine(critical)"});
      EXPECT(st == Status::kSuccess, "submit critical: %s", to_string(st));
    }
    coord.end_request(critical);
    RequestResult result;
    st = coord.wait(id, &result, 20000);
    EXPECT(st == Status::kSuccess, "critical request %d: %s %s", r, to_string(st), result.message.c_str());
    critical_gpu_us += result.gpu_end_us - result.gpu_begin_us;
  }
  RequestResult normal_result;
  st = coord.wait(normal_request, &normal_result, 60000);
  EXPECT(st == Status::kSuccess, "normal request: %s %s", to_string(st), normal_result.message.c_str());
  EXPECT(coord.synchronize() == Status::kSuccess, "synchronize");

  std::vector<float> got_big(n_big), got_small(n_small);
  cudaMemcpy(got_big.data(), big, n_big * sizeof(float), cudaMemcpyDeviceToHost);
  cudaMemcpy(got_small.data(), small, n_small * sizeof(float), cudaMemcpyDeviceToHost);
  reference(host_big, threads, normal_launches);
  reference(host_small, threads, critical_launches * critical_requests);
  EXPECT(std::memcmp(got_big.data(), host_big.data(), n_big * sizeof(float)) == 0, "%s: normal output differs",
         to_string(kind));
  EXPECT(std::memcmp(got_small.data(), host_small.data(), n_small * sizeof(float)) == 0,
         "%s: critical output differs", to_string(kind));

  const CoordinatorStats stats = coord.stats();
  const std::string path = trace_dir + "/trace_" + to_string(kind) + ".json";
  EXPECT(coord.write_trace(path), "write %s", path.c_str());
  std::ifstream in(path);
  nlohmann::json trace = nlohmann::json::parse(in, nullptr, false);
  EXPECT(!trace.is_discarded() && trace.contains("traceEvents"), "%s is not a valid trace", path.c_str());
  std::printf("%-12s critical request GPU span mean %8.1f us | normal %8.1f us | kernels %llu shards %llu holds %llu"
              " | submit %.2f us/launch | spans %zu\n",
              to_string(kind), critical_gpu_us / critical_requests,
              normal_result.gpu_end_us - normal_result.gpu_begin_us,
              (unsigned long long)stats.kernels_issued, (unsigned long long)stats.shards_issued,
              (unsigned long long)stats.holds, stats.submit_cpu_us_total / stats.launches_submitted,
              coord.trace().size());
  cudaFree(big);
  cudaFree(small);
}

}  // namespace

int main(int argc, char** argv) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("no CUDA device: skipping\n");
    return 77;  // ctest: skipped
  }
  const std::string trace_dir = argc > 1 ? argv[1] : ".";
  miriam::KernelCatalog catalog;
  miriam::CudaIntrospector introspector;
  try {
    catalog.add(miriam::parse_manifest(manifest_json(), "coordinator_gpu_test"), miriam::registry(), &introspector);
  } catch (const std::exception& e) {
    std::printf("FAIL binding: %s\n", e.what());
    return 1;
  }
  auto sizes = introspector.param_sizes(reinterpret_cast<const void*>(&affine__miriam_sliced));
  EXPECT(sizes && sizes->size() == 3, "sliced variant parameter count");
  for (miriam::PolicyKind kind : {miriam::PolicyKind::kSequential, miriam::PolicyKind::kMultistream,
                                  miriam::PolicyKind::kPriority, miriam::PolicyKind::kIb, miriam::PolicyKind::kMiriam})
    run_policy(kind, catalog, trace_dir);
  std::printf(failures ? "%d FAILURES\n" : "all passed\n", failures);
  return failures ? 1 : 0;
}
