// miriam_bench: the mixed-criticality multi-DNN benchmark (see usage()).
// Exit status: 0 all runs ok; 1 a failed request or an output mismatch (soak:
// a criterion failed); 2 bad command line or workload; 3 soak: deadlock
// suspected (the watchdog fired); 77 no GPU (nothing run).
#include <cuda_runtime_api.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "bench.h"
#include "green_context.h"
#include "miriam/cuda_gpu_model.h"
#include "miriam/cuda_introspector.h"
#include "miriam/kernel_catalog.h"
#include "miriam/profile.h"
#include "models.h"
#include "soak.h"

#include "miriam_bench_commit.h"  // generated at build time (commit_header.cmake)

namespace fs = std::filesystem;
using namespace miriam;
using namespace miriam::bench;

namespace {

fs::path executable_dir() {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (n <= 0) return fs::current_path();
  buffer[n] = '\0';
  return fs::path(buffer).parent_path();
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// A path to a file, or the name of a bundled workload (<exe dir>/workloads/<name>.json).
std::string workload_path(const std::string& name_or_path) {
  if (fs::exists(name_or_path)) return name_or_path;
  const fs::path bundled = executable_dir() / "workloads" / (name_or_path + ".json");
  if (fs::exists(bundled)) return bundled.string();
  throw WorkloadError(name_or_path + ": no such file, and no bundled workload of that name (see --list)");
}

void list_workloads() {
  std::cout << (have_dnn_models() ? "DNN models: built in\n" : "DNN models: not in this build (synthetic models only)\n");
  const fs::path dir = executable_dir() / "workloads";
  std::vector<fs::path> files;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    try {
      const Workload w = load_workload(f.string());
      std::cout << fmt::format("{:<28} {}\n", w.name, w.description);
    } catch (const std::exception& e) {
      std::cout << fmt::format("{:<28} (invalid: {})\n", f.stem().string(), e.what());
    }
  }
}

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::vector<Workload> workloads;
  try {
    options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (options.help) {
      std::cout << usage();
      return 0;
    }
    if (options.list) {
      list_workloads();
      return 0;
    }
    apply_short_mode(options);
    for (const std::string& w : options.workloads) {
      workloads.push_back(load_workload(workload_path(w)));
      apply_overrides(workloads.back(), options.overrides);
    }
  } catch (const std::exception& e) {
    std::cerr << "miriam_bench: " << e.what() << "\n";
    return 2;
  }

  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::cout << "miriam_bench: no CUDA device here: nothing to run\n";
    return 77;
  }
  cudaSetDevice(0);
  cudaDeviceProp prop{};
  cudaGetDeviceProperties(&prop, 0);
  DeviceInfo device;
  device.card = prop.name;
  device.sm_count = prop.multiProcessorCount;

  RunEnvironment env;
  env.verify = options.verify;
  env.policy_options = options.policy_options;
  env.order_critical_tasks = options.order_critical_tasks;
  env.block_time_per_launch = options.block_time_per_launch;
  std::unique_ptr<GreenContext> green;
  if (options.sms > 0) {
    std::string error;
    green = GreenContext::create(0, options.sms, &error);
    if (!green) {
      std::cerr << "miriam_bench: green context of " << options.sms << " SMs: " << error << "\n";
      return 1;
    }
    device.sms_requested = options.sms;
    device.sm_count = green->sm_count();
    GpuModel gpu = gpu_model_from(prop);  // the partition: its SMs, the device's per-SM limits
    gpu.sm_count = green->sm_count();
    env.gpu = gpu;
    GreenContext* g = green.get();
    env.create_stream = [g](int priority, cudaStream_t* stream) { return g->create_stream(priority, stream); };
  }

  // Every manifest beside the binary (or in --manifest-dir): the synthetic
  // kernel's and the DNN layers'. A manifest that does not match the binary stops here.
  KernelCatalog catalog;
  CudaIntrospector introspector;
  const fs::path manifest_dir = options.manifest_dir.empty() ? executable_dir() : fs::path(options.manifest_dir);
  try {
    std::vector<fs::path> manifests;
    for (const auto& e : fs::directory_iterator(manifest_dir))
      if (e.path().string().size() > 12 && e.path().string().rfind(".miriam.json") == e.path().string().size() - 12)
        manifests.push_back(e.path());
    std::sort(manifests.begin(), manifests.end());
    for (const fs::path& m : manifests) catalog.load(m.string(), registry(), &introspector);
    if (manifests.empty())
      std::cerr << "miriam_bench: warning: no *.miriam.json in " << manifest_dir
                << ": no sliced variants, so miriam cannot pad (it then holds normal work like ib)\n";
  } catch (const std::exception& e) {
    std::cerr << "miriam_bench: loading manifests from " << manifest_dir << ": " << e.what() << "\n";
    return 1;
  }
  env.catalog = &catalog;
  Profile profile;
  if (!options.profile.empty()) {
    try {
      profile = load_profile(options.profile);
      env.profile = &profile;
    } catch (const std::exception& e) {
      std::cerr << "miriam_bench: " << e.what() << "\n";
      return 2;
    }
  }

  const std::string commit = options.commit.empty() ? MIRIAM_BENCH_COMMIT : options.commit;
  for (const std::string& dir : {options.out_dir, options.trace_dir})
    if (!dir.empty()) fs::create_directories(dir);
  if (options.soak_seconds) {
    try {
      return run_soak(workloads.front(), options, env, device, commit, utc_now());
    } catch (const std::exception& e) {
      std::cerr << "miriam_bench soak: " << workloads.front().name << ": " << e.what() << "\n";
      return 1;
    }
  }
  int status = 0;
  for (const Workload& w : workloads) {
    std::cerr << fmt::format("miriam_bench: {} on {} ({} SMs), {} kernels bound from manifests\n", w.name,
                             device.card, device.sm_count, catalog.size());
    BenchReport report;
    try {
      report = run_workload(w, options, env, device, commit, utc_now());
    } catch (const std::exception& e) {
      std::cerr << "miriam_bench: " << w.name << ": " << e.what() << "\n";
      status = 1;
      continue;
    }
    const std::vector<PolicyRow> rows = derive(report);
    std::cout << format_table(report, rows) << std::flush;
    if (!options.out_dir.empty()) {
      const fs::path base = fs::path(options.out_dir) / (w.name + "_" + sm_tag(device));
      if (!write_file(base.string() + ".json", to_json(report, rows)) ||
          !write_file(base.string() + ".csv", to_csv(report, rows))) {
        std::cerr << "miriam_bench: cannot write " << base << ".{json,csv}\n";
        status = 1;
      }
    }
    const std::uint64_t mismatches = total_mismatches(report), failures = total_failures(report);
    if (mismatches || failures) {
      std::cout << fmt::format("FAILED: {} output mismatch(es), {} failed request(s)\n", mismatches, failures);
      status = 1;
    }
  }
  return status;
}
