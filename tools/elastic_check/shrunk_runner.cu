// The "shrunk" variant: k__miriam_shrunk(::miriam::Slice, ::miriam::Shrink,
// <original params>) runs logical blocks [begin, end) of the original grid
// (one physical block each, as the sliced variant) with blocks of block / f
// threads (the outermost dimension of extent > 1 divided by f), each thread
// running f of the original threads. Schedules: every f in {1, 2, 4, 8} that
// divides that extent (and that the variant accepts), each as the whole grid
// in one slice and as 3 and 7 slices (shuffled too when the kernel's blocks
// are order-independent), so sliced+shrunk launches are checked as the
// coordinator issues them. The overhead is timed at f = 1, 2, 4, whole grid.
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "cuda_check.h"
#include "init.h"
#include "miriam/elastic.cuh"
#include "variant_runner.h"

namespace miriam::check {
namespace {

constexpr unsigned kCheckedFactors[] = {1, 2, 4, 8};
constexpr unsigned kTimedFactors[] = {1, 2, 4};
constexpr unsigned long long kCheckedSliceCounts[] = {3, 7};

class ShrunkRunner final : public VariantRunner {
 public:
  ShrunkRunner(const KernelLaunch& launch, const ::miriam::VariantSymbol& variant)
      : launch_(launch), variant_(variant) {
    allow_dynamic_shared(variant_.host_stub, launch_.dynamic_shared_bytes);
  }

  const char* name() const override { return "shrunk"; }

  std::vector<Schedule> schedules() const override {
    std::vector<Schedule> out;
    const unsigned long long n = launch_.block_count();
    Rng rng(mix_seed(launch_.seed, n));
    for (unsigned f : kCheckedFactors) {
      if (!valid(f)) continue;
      out.push_back(schedule_for(f));
      for (unsigned long long k : kCheckedSliceCounts) {
        if (k > n) continue;
        Schedule s = schedule_for(f, k);
        out.push_back(s);
        if (!launch_.order_independent) continue;
        s.name += " shuffled";
        s.shuffled = true;
        shuffle_slices(s.slices, rng);
        out.push_back(std::move(s));
      }
    }
    return out;
  }

  Schedule timing_schedule() const override { return schedule_for(1); }

  std::vector<Schedule> extra_timing_schedules() const override {
    std::vector<Schedule> out;
    for (unsigned f : kTimedFactors)
      if (f > 1 && valid(f)) out.push_back(schedule_for(f));
    return out;
  }

  void run(const Schedule& schedule, ArgPack& args, cudaStream_t stream) const override {
    for (const SliceRange& range : schedule.slices) {
      ::miriam::ShrunkLaunch launch = ::miriam::ShrunkLaunch::whole_grid(
          launch_.grid, launch_.block, schedule.factor, launch_.dynamic_shared_bytes, stream);
      launch.begin = range.begin;
      launch.end = range.end;
      if (!launch.valid(::miriam::kMaxShrinkFactor)) throw std::logic_error("shrunk runner: invalid launch");
      ::miriam::Slice slice = launch.slice();
      ::miriam::Shrink shrink = launch.shrink();
      std::vector<void*> params = args.with_prefix({&slice, &shrink});
      MIRIAM_CUDA(cudaLaunchKernel(variant_.host_stub, launch.physical_grid(), launch.physical_block(), params.data(),
                                   launch.shared_bytes, stream));
      MIRIAM_CHECK_LAUNCH("shrunk variant launch");
    }
  }

 private:
  // Every factor of kCheckedFactors is <= kMaxShrinkFactor, the limit of
  // variants with per-thread storage.
  bool valid(unsigned f) const { return ::miriam::shrink_factor_valid(launch_.block, f, ::miriam::kMaxShrinkFactor); }

  // Factor `f` over `slices` near-equal slices of the grid, in order.
  Schedule schedule_for(unsigned f, unsigned long long slices = 1) const {
    Schedule s{slices == 1 ? fmt::format("f={}", f) : fmt::format("f={} {} slices", f, slices),
               even_slices(launch_.block_count(), slices), false, ""};
    s.factor = f;
    const dim3 physical = ::miriam::shrunk_physical_block(launch_.block, f);
    s.note = fmt::format("block {}x{}x{}", physical.x, physical.y, physical.z);
    return s;
  }

  KernelLaunch launch_;
  ::miriam::VariantSymbol variant_;
};

}  // namespace

std::unique_ptr<VariantRunner> make_shrunk_runner(const KernelLaunch& launch, const ::miriam::VariantSymbol& variant) {
  return std::make_unique<ShrunkRunner>(launch, variant);
}

}  // namespace miriam::check
