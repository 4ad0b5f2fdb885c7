// elastic_check: are the elastic variants that miriamc emits bitwise
// equivalent to the original kernels, and what do they cost?
//
//   elastic_check --specs <dir> --manifests <dir> --out <result.json>
//                 [--seed N] [--runs 50] [--warmup 5] [--equivalence-runs 2]
//                 [--commit <sha>] [--only <kernel>] [--kinds sliced,persistent,shrunk]
//                 [--guard-bytes 256]
//
// Exit: 0 all checks passed; 1 a check failed or a launch could not be
// checked; 2 usage, spec or manifest error; 3 sticky CUDA error (the run
// stopped; the result file holds what was done); 77 no CUDA device.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "checker.h"
#include "cuda_check.h"
#include "manifest_view.h"
#include "report.h"
#include "resolve.h"
#include "spec.h"

namespace {

using namespace miriam::check;

struct Options {
  std::string specs, manifests, out, commit, only;
  CheckOptions check;
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr const char* kUsage =
    "usage: elastic_check --specs <dir> --manifests <dir> --out <result.json>\n"
    "                     [--seed N] [--runs N] [--warmup N] [--equivalence-runs N]\n"
    "                     [--commit <sha>] [--only <kernel>] [--kinds <kind,...>]\n"
    "                     [--guard-bytes N]  (after each buffer; default 256, 0 for memcheck)\n"
    "                     [--timing-only]    (no schedule checked: for profiling, not evidence)\n";

unsigned long long parse_number(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (text.empty() || *end != '\0' || text[0] == '-') throw UsageError(fmt::format("{}: not a number: '{}'", flag, text));
  return v;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find(',', begin), text.size());
    if (end > begin) out.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") throw UsageError("");
    if (flag == "--timing-only") {
      o.check.timing_only = true;
      continue;
    }
    if (i + 1 >= argc) throw UsageError(fmt::format("{}: missing value", flag));
    const std::string value = argv[++i];
    if (flag == "--specs") o.specs = value;
    else if (flag == "--manifests") o.manifests = value;
    else if (flag == "--out") o.out = value;
    else if (flag == "--commit") o.commit = value;
    else if (flag == "--only") o.only = value;
    else if (flag == "--kinds") o.check.kinds = split_list(value);
    else if (flag == "--seed") o.check.seed = parse_number(flag, value);
    else if (flag == "--runs") o.check.timing_runs = static_cast<unsigned>(parse_number(flag, value));
    else if (flag == "--warmup") o.check.warmup = static_cast<unsigned>(parse_number(flag, value));
    else if (flag == "--equivalence-runs") o.check.equivalence_runs = static_cast<unsigned>(parse_number(flag, value));
    else if (flag == "--guard-bytes") o.check.guard_bytes = static_cast<std::size_t>(parse_number(flag, value));
    else throw UsageError(fmt::format("unknown option {}", flag));
  }
  if (o.specs.empty() || o.manifests.empty() || o.out.empty())
    throw UsageError("--specs, --manifests and --out are required");
  if (o.check.equivalence_runs == 0) throw UsageError("--equivalence-runs must be at least 1");
  return o;
}

DeviceInfo device_info(int device) {
  cudaDeviceProp prop{};
  MIRIAM_CUDA(cudaGetDeviceProperties(&prop, device));
  DeviceInfo info;
  info.name = prop.name;
  info.sm_count = prop.multiProcessorCount;
  info.cc_major = prop.major;
  info.cc_minor = prop.minor;
  info.memory_bytes = prop.totalGlobalMem;
  MIRIAM_CUDA(cudaDriverGetVersion(&info.driver_version));
  MIRIAM_CUDA(cudaRuntimeGetVersion(&info.runtime_version));
  return info;
}

int finish(const Report& report, const std::string& out) {
  print_table(report, stdout);
  try {
    write_report(report, out);
    fmt::print("result: {}\n", out);
  } catch (const std::exception& e) {
    fmt::print(stderr, "elastic_check: {}\n", e.what());
    return 2;
  }
  if (!report.fatal.empty()) return 3;
  return report.failed() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const UsageError& e) {
    if (*e.what()) fmt::print(stderr, "elastic_check: {}\n", e.what());
    fmt::print(stderr, "{}", kUsage);
    return *e.what() ? 2 : 0;
  }

  // Everything that needs no GPU is checked first, so a CPU machine still
  // catches bad specs, manifests and missing registrations.
  std::vector<Plan> plans;
  Report report;
  ManifestView manifests;  // plans point into it
  try {
    manifests = ManifestView::load_dir(options.manifests);
    report.warnings = manifests.warnings();
    plans = resolve(load_specs(options.specs), manifests, ::miriam::registry(), options.only);
  } catch (const std::exception& e) {
    fmt::print(stderr, "elastic_check: {}\n", e.what());
    return 2;
  }
  if (plans.empty()) {
    fmt::print(stderr, "elastic_check: no launch specs{} in {}\n",
               options.only.empty() ? "" : fmt::format(" for '{}'", options.only), options.specs);
    return 2;
  }
  bool unresolved = false;
  for (const Plan& p : plans) {
    if (p.manifest && p.manifest->variants.empty() && p.manifest->refused.empty())
      report.warnings.push_back(fmt::format("{}: the manifest neither offers nor refuses any variant",
                                            p.spec.display_name()));
    if (!p.error.empty()) {
      fmt::print(stderr, "elastic_check: error: {}\n", p.error);
      unresolved = true;
    }
  }

  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    cudaGetLastError();
    if (unresolved) return 2;
    fmt::print("no CUDA device: skipping\n");
    return 77;
  }

  report.date_utc = utc_now_iso();
  report.commit = options.commit;
  report.seed = options.check.seed;
  report.timing_runs = options.check.timing_runs;
  report.warmup = options.check.warmup;
  report.equivalence_runs = options.check.equivalence_runs;
  report.guard_bytes = options.check.guard_bytes;
  report.specs_dir = options.specs;
  report.manifests_dir = options.manifests;
  report.only = options.only;
  report.timing_only = options.check.timing_only;
  if (options.check.timing_only)
    report.warnings.push_back("--timing-only: no variant schedule was run or compared, no preemption measured");
  if (options.check.timing_runs > 0 && options.check.timing_runs < 50)
    report.warnings.push_back(fmt::format("--runs {}: fewer than the 50 timed runs the protocol asks for",
                                          options.check.timing_runs));

  cudaStream_t stream = nullptr;
  try {
    MIRIAM_CUDA(cudaSetDevice(0));
    report.device = device_info(0);
    MIRIAM_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  } catch (const CudaError& e) {
    fmt::print(stderr, "elastic_check: {}\n", e.what());
    return 3;
  }

  for (const Plan& plan : plans) {
    LaunchResult& result = report.launches.emplace_back();
    const LaunchSpec& spec = plan.spec;
    result.spec_file = spec.file;
    result.spec_index = spec.index;
    result.kernel = spec.kernel;
    result.template_args = spec.template_args;
    result.grid = spec.grid;
    result.block = spec.block;
    result.dynamic_shared_bytes = spec.dynamic_shared_bytes;
    result.order_independent = spec.order_independent;
    if (plan.manifest) result.manifest = plan.manifest->manifest;
    if (!plan.error.empty()) {
      result.error = plan.error;
      continue;
    }
    fmt::print(stderr, "checking {} ({} launches[{}])\n", spec.display_name(), spec.file, spec.index);
    try {
      try {
        check_launch(plan, options.check, stream, result);
      } catch (const StickyCudaError&) {
        throw;
      } catch (const CudaError& e) {
        recover_or_throw_sticky(e);
        result.error = e.what();
      }
    } catch (const StickyCudaError& e) {
      result.error = e.what();
      report.fatal = fmt::format("sticky CUDA error while checking {}: {}", spec.display_name(), e.what());
      fmt::print(stderr, "elastic_check: {}\n", report.fatal);
      return finish(report, options.out);
    }
  }
  cudaStreamDestroy(stream);
  return finish(report, options.out);
}
