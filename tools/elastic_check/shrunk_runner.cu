// The "shrunk" variant: k__miriam_shrunk(::miriam::Shrink, <original params>)
// runs the original grid with blocks of block / f threads (the outermost
// dimension of extent > 1 divided by f), each thread running f of the
// original threads. Schedules: every f in {1, 2, 4, 8} that divides that
// extent (and that the variant accepts); the overhead is timed at f = 1, 2, 4.
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "cuda_check.h"
#include "miriam/elastic.cuh"
#include "variant_runner.h"

namespace miriam::check {
namespace {

constexpr unsigned kCheckedFactors[] = {1, 2, 4, 8};
constexpr unsigned kTimedFactors[] = {1, 2, 4};

class ShrunkRunner final : public VariantRunner {
 public:
  ShrunkRunner(const KernelLaunch& launch, const ::miriam::VariantSymbol& variant)
      : launch_(launch), variant_(variant) {
    allow_dynamic_shared(variant_.host_stub, launch_.dynamic_shared_bytes);
  }

  const char* name() const override { return "shrunk"; }

  std::vector<Schedule> schedules() const override {
    std::vector<Schedule> out;
    for (unsigned f : kCheckedFactors)
      if (valid(f)) out.push_back(schedule_for(f));
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
    ::miriam::ShrunkLaunch launch;
    launch.grid = launch_.grid;
    launch.block = launch_.block;
    launch.shared_bytes = launch_.dynamic_shared_bytes;
    launch.stream = stream;
    launch.factor = schedule.factor;
    if (!valid(schedule.factor)) throw std::logic_error("shrunk runner: invalid factor");
    ::miriam::Shrink value = launch.shrink();
    std::vector<void*> params = args.with_prefix({&value});
    MIRIAM_CUDA(cudaLaunchKernel(variant_.host_stub, launch.grid, launch.physical_block(), params.data(),
                                 launch.shared_bytes, stream));
    MIRIAM_CHECK_LAUNCH("shrunk variant launch");
  }

 private:
  // Every factor of kCheckedFactors is <= kMaxShrinkFactor, the limit of
  // variants with per-thread storage.
  bool valid(unsigned f) const { return ::miriam::shrink_factor_valid(launch_.block, f, ::miriam::kMaxShrinkFactor); }

  Schedule schedule_for(unsigned f) const {
    Schedule s{fmt::format("f={}", f), even_slices(launch_.block_count(), 1), false, ""};
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
