// The "sliced" variant: k__miriam_sliced(::miriam::Slice, <original params>)
// runs logical blocks [begin, end) of the original grid in a 1D physical grid
// of physical_grid_for(end - begin) blocks, original block shape and dynamic
// shared memory.
#include <memory>

#include "cuda_check.h"
#include "miriam/elastic.cuh"
#include "variant_runner.h"

namespace miriam::check {
namespace {

class SlicedRunner final : public VariantRunner {
 public:
  SlicedRunner(const KernelLaunch& launch, const ::miriam::VariantSymbol& variant)
      : launch_(launch), variant_(variant) {
    allow_dynamic_shared(variant_.host_stub, launch_.dynamic_shared_bytes);
  }

  const char* name() const override { return "sliced"; }

  std::vector<Schedule> schedules() const override {
    return standard_slice_schedules(launch_.block_count(), launch_.order_independent, launch_.seed);
  }

  Schedule timing_schedule() const override {
    return Schedule{"1 slice", even_slices(launch_.block_count(), 1), false, ""};
  }

  void run(const Schedule& schedule, ArgPack& args, cudaStream_t stream) const override {
    for (const SliceRange& range : schedule.slices) {
      ::miriam::SliceLaunch slice;
      slice.grid = launch_.grid;
      slice.block = launch_.block;
      slice.shared_bytes = launch_.dynamic_shared_bytes;
      slice.stream = stream;
      slice.begin = range.begin;
      slice.end = range.end;
      if (!slice.valid()) throw std::logic_error("sliced runner: invalid slice");
      launch_slice(variant_.host_stub, slice, args, "sliced variant launch");
    }
  }

 private:
  KernelLaunch launch_;
  ::miriam::VariantSymbol variant_;
};

}  // namespace

std::unique_ptr<VariantRunner> make_sliced_runner(const KernelLaunch& launch, const ::miriam::VariantSymbol& variant) {
  return std::make_unique<SlicedRunner>(launch, variant);
}

}  // namespace miriam::check
