// miriam_profile: measures each kernel variant's time per shard size on the
// current GPU and writes the profile file the coordinator reads
// (runtime/include/miriam/profile.h).
//
//   miriam_profile --specs <dir> --manifests <dir> --out <profile.json>
//                  [--runs N] [--warmup N] [--only <kernel>] [--seed N]
//
// For every launch spec (test_kernels/*.launch.json: kernel, grid, block,
// arguments) of a kernel built into the profiler (CMake: MIRIAM_PROFILE_SOURCES,
// by default the DNN layer kernels), on buffers filled as elastic_check fills them: the original
// kernel over the whole grid; the sliced variant on shards [0, b); the
// persistent variant on [0, b) with P = min(resident blocks, b). Each point is
// the median of --runs launches, GPU events around each launch only, launches
// back to back so host launch latency is not counted. Exit: 0 written,
// 2 usage/spec/manifest error, 3 CUDA error, 77 no CUDA device.
#include <cuda_runtime.h>
// elastic.cuh's device helpers name blockIdx/gridDim.
#include <device_launch_parameters.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "args.h"
#include "buffers.h"
#include "cuda_check.h"
#include "init.h"
#include "manifest_view.h"
#include "miriam/elastic.cuh"
#include "miriam/profile.h"
#include "profile_plan.h"
#include "resolve.h"
#include "spec.h"
#include "stats.h"
#include "variant_runner.h"

namespace {

using namespace miriam::check;
namespace tool = miriam::profile_tool;

struct Options {
  std::string specs, manifests, out, only;
  unsigned runs = 20, warmup = 3;
  std::uint64_t seed = 1;
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) throw UsageError(flag + ": missing value");
    const std::string value = argv[++i];
    if (flag == "--specs") o.specs = value;
    else if (flag == "--manifests") o.manifests = value;
    else if (flag == "--out") o.out = value;
    else if (flag == "--only") o.only = value;
    else if (flag == "--runs") o.runs = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--warmup") o.warmup = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--seed") o.seed = std::stoull(value);
    else throw UsageError("unknown option " + flag);
  }
  if (o.specs.empty() || o.manifests.empty() || o.out.empty())
    throw UsageError("--specs, --manifests and --out are required");
  if (o.runs == 0) throw UsageError("--runs must be at least 1");
  return o;
}

// Times `launch` (which enqueues one kernel) runs times back to back; `before`
// enqueues untimed preparation (the persistent variant's control reset).
class ShardTimer {
 public:
  ShardTimer(unsigned runs, unsigned warmup, cudaStream_t stream) : runs_(runs), warmup_(warmup), stream_(stream) {
    events_.resize(2 * runs);
    for (cudaEvent_t& e : events_) MIRIAM_CUDA(cudaEventCreate(&e));
  }
  ~ShardTimer() {
    for (cudaEvent_t e : events_) cudaEventDestroy(e);
  }
  double median_us(const std::function<void()>& before, const std::function<void()>& launch) {
    for (unsigned i = 0; i < warmup_; ++i) before(), launch();
    for (unsigned i = 0; i < runs_; ++i) {
      before();
      MIRIAM_CUDA(cudaEventRecord(events_[2 * i], stream_));
      launch();
      MIRIAM_CUDA(cudaEventRecord(events_[2 * i + 1], stream_));
    }
    MIRIAM_CUDA(cudaStreamSynchronize(stream_));
    std::vector<double> us;
    for (unsigned i = 0; i < runs_; ++i) {
      float ms = 0;
      MIRIAM_CUDA(cudaEventElapsedTime(&ms, events_[2 * i], events_[2 * i + 1]));
      us.push_back(ms * 1000.0);
    }
    return median(us);
  }

 private:
  unsigned runs_, warmup_;
  cudaStream_t stream_;
  std::vector<cudaEvent_t> events_;
};

int resident_per_sm(const void* stub, const LaunchSpec& spec) {
  int n = 0;
  const int threads = static_cast<int>(spec.block[0] * spec.block[1] * spec.block[2]);
  MIRIAM_CUDA(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, stub, threads, spec.dynamic_shared_bytes));
  return n;
}

miriam::ProfileEntry entry_for(const Plan& plan, std::optional<miriam::VariantKind> kind) {
  miriam::ProfileEntry e;
  e.mangled = plan.symbol->mangled;
  e.name = plan.spec.display_name();
  e.variant = kind;
  for (int d = 0; d < 3; ++d) e.block[d] = plan.spec.block[d];
  e.shared_bytes = plan.spec.dynamic_shared_bytes;
  return e;
}

// Every point of one launch spec, added to `profile`.
void profile_launch(const Plan& plan, const Options& o, int sm_count, cudaStream_t stream, miriam::Profile& profile) {
  const LaunchSpec& spec = plan.spec;
  const dim3 grid(spec.grid[0], spec.grid[1], spec.grid[2]), block(spec.block[0], spec.block[1], spec.block[2]);
  const std::uint64_t n = spec.block_count();
  DeviceBuffers buffers(spec);
  buffers.upload(make_initial_images(spec, o.seed, 0), stream);
  ArgPack args(spec, buffers.pointers());
  ShardTimer timer(o.runs, o.warmup, stream);
  auto nothing = [] {};

  allow_dynamic_shared(plan.symbol->original, spec.dynamic_shared_bytes);
  miriam::ProfileEntry original = entry_for(plan, std::nullopt);
  const double whole_us = timer.median_us(nothing, [&] {
    MIRIAM_CUDA(cudaLaunchKernel(plan.symbol->original, grid, block, args.args(), spec.dynamic_shared_bytes, stream));
  });
  original.timing = miriam::ShardTiming({{n, whole_us / static_cast<double>(n)}});
  tool::add_entry(profile, original);
  fmt::print(stderr, "  original: {} blocks {:.1f} us\n", n, whole_us);

  for (unsigned v = 0; v < plan.symbol->variant_count; ++v) {
    const miriam::VariantSymbol& variant = plan.symbol->variants[v];
    const std::optional<miriam::VariantKind> kind = miriam::variant_kind_from_string(variant.kind);
    if (kind != miriam::VariantKind::kSliced && kind != miriam::VariantKind::kPersistent) continue;
    allow_dynamic_shared(variant.host_stub, spec.dynamic_shared_bytes);
    const std::uint64_t resident =
        static_cast<std::uint64_t>(resident_per_sm(variant.host_stub, spec)) * static_cast<std::uint64_t>(sm_count);
    const std::vector<std::uint64_t> sizes = tool::shard_sizes(n, sm_count, resident);
    if (sizes.empty()) {
      fmt::print(stderr, "  {}: no block fits an SM, not profiled\n", variant.kind);
      continue;
    }
    miriam::PersistentControlBlock control{};
    if (kind == miriam::VariantKind::kPersistent) MIRIAM_CUDA(miriam::persistent_control_create(&control));
    std::vector<miriam::ShardTimingPoint> points;
    for (std::uint64_t b : sizes) {
      miriam::Slice slice{0, b, grid};
      double us = 0;
      if (kind == miriam::VariantKind::kSliced) {
        std::vector<void*> params = args.with_prefix({&slice});
        us = timer.median_us(nothing, [&] {
          MIRIAM_CUDA(cudaLaunchKernel(variant.host_stub, miriam::physical_grid_for(b), block, params.data(),
                                       spec.dynamic_shared_bytes, stream));
        });
      } else {
        miriam::PersistentLaunch l;
        l.grid = grid, l.block = block, l.shared_bytes = spec.dynamic_shared_bytes, l.stream = stream;
        l.begin = 0, l.end = b, l.control = control.device;
        l.physical_blocks = static_cast<unsigned>(std::min(resident, b));
        miriam::PersistentControl* ctrl = control.device;
        std::vector<void*> params = args.with_prefix({&ctrl, &slice});
        us = timer.median_us(
            [&] {
              MIRIAM_CUDA(miriam::persistent_clear_stop(control, stream));
              MIRIAM_CUDA(miriam::persistent_prepare_launch(l));
            },
            [&] {
              MIRIAM_CUDA(cudaLaunchKernel(variant.host_stub, l.physical_grid(), block, params.data(),
                                           spec.dynamic_shared_bytes, stream));
            });
      }
      points.push_back({b, us / static_cast<double>(b)});
      fmt::print(stderr, "  {}: {} blocks {:.1f} us\n", variant.kind, b, us);
    }
    if (kind == miriam::VariantKind::kPersistent) miriam::persistent_control_destroy(&control);
    miriam::ProfileEntry e = entry_for(plan, kind);
    e.timing = miriam::ShardTiming(std::move(points));
    tool::add_entry(profile, e);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parse_options(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "miriam_profile: {}\nusage: miriam_profile --specs <dir> --manifests <dir> --out <profile.json> "
                       "[--runs N] [--warmup N] [--only <kernel>] [--seed N]\n", e.what());
    return 2;
  }
  std::vector<Plan> plans;
  ManifestView manifests;  // plans point into it
  try {
    manifests = ManifestView::load_dir(o.manifests);
    plans = resolve(load_specs(o.specs), manifests, ::miriam::registry(), o.only);
  } catch (const std::exception& e) {
    fmt::print(stderr, "miriam_profile: {}\n", e.what());
    return 2;
  }
  // Checked before any GPU work, so a CPU machine catches bad specs and manifests.
  std::size_t to_profile = 0;
  for (const Plan& plan : plans) {
    if (!plan.symbol) continue;
    if (!plan.error.empty()) {
      fmt::print(stderr, "miriam_profile: error: {}\n", plan.error);
      return 2;
    }
    ++to_profile;
  }
  fmt::print("{} launch spec(s) to profile\n", to_profile);
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    fmt::print("no CUDA device: skipping\n");
    return 77;
  }
  miriam::Profile profile;
  int skipped = 0;
  try {
    MIRIAM_CUDA(cudaSetDevice(0));
    cudaDeviceProp prop{};
    MIRIAM_CUDA(cudaGetDeviceProperties(&prop, 0));
    profile.device = prop.name;
    profile.sm_count = prop.multiProcessorCount;
    cudaStream_t stream = nullptr;
    MIRIAM_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    for (const Plan& plan : plans) {
      if (!plan.symbol) {
        ++skipped;  // a kernel this profiler was not built with (MIRIAM_PROFILE_SOURCES)
        continue;
      }
      fmt::print(stderr, "profiling {} ({} launches[{}])\n", plan.spec.display_name(), plan.spec.file,
                 plan.spec.index);
      profile_launch(plan, o, prop.multiProcessorCount, stream, profile);
    }
    cudaStreamDestroy(stream);
  } catch (const CudaError& e) {
    fmt::print(stderr, "miriam_profile: {}\n", e.what());
    return 3;
  }
  try {
    miriam::save_profile(profile, o.out);
  } catch (const std::exception& e) {
    fmt::print(stderr, "miriam_profile: {}\n", e.what());
    return 2;
  }
  fmt::print("{}: {} entries for {} ({} SMs); {} launch spec(s) of kernels not built into this profiler skipped\n",
             o.out, profile.entries.size(), profile.device, profile.sm_count, skipped);
  return 0;
}
