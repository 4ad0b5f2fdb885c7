// One runner per elastic variant kind. A runner is bound to one kernel
// launch and that launch's variant symbol; it lists the schedules it checks
// and launches the variant for one schedule. To add a kind ("persistent",
// "shrunk"): write <kind>_runner.cu with a make_<kind>_runner() and add it
// to the table in variant_runner.cu.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "args.h"
#include "miriam/elastic.cuh"
#include "miriam/registry.h"
#include "report.h"
#include "schedule.h"

namespace miriam::check {

// The original launch as the spec gives it.
struct KernelLaunch {
  const ::miriam::KernelSymbol* symbol = nullptr;
  dim3 grid, block;
  std::size_t dynamic_shared_bytes = 0;
  bool order_independent = false;
  std::uint64_t seed = 0;

  unsigned long long block_count() const {
    return static_cast<unsigned long long>(grid.x) * grid.y * grid.z;
  }
  // Enqueues the original kernel; throws CudaError if the launch fails.
  void launch_original(ArgPack& args, cudaStream_t stream) const;
};

// Sets the dynamic shared memory limit of `host_stub` when the launch needs
// more than the default 48 KiB.
void allow_dynamic_shared(const void* host_stub, std::size_t bytes);
FuncAttributes function_attributes(const void* host_stub);
// Enqueues a sliced variant (`host_stub`) over `slice` (its stream, grid, block
// and shared memory); throws CudaError naming `what` if the launch fails.
void launch_slice(const void* host_stub, const ::miriam::SliceLaunch& slice, ArgPack& args, const char* what);

class VariantRunner {
 public:
  virtual ~VariantRunner() = default;
  virtual const char* name() const = 0;
  // Every schedule the equivalence check runs, in order.
  virtual std::vector<Schedule> schedules() const = 0;
  // The schedule whose cost is compared with the original (whole grid at once).
  virtual Schedule timing_schedule() const = 0;
  // Called once before any schedule runs, with the buffers holding fresh
  // inputs (they are uploaded again before each schedule): a runner that
  // sizes its launches from the original's timing measures it here.
  virtual void calibrate(ArgPack& args, cudaStream_t stream) {
    (void)args;
    (void)stream;
  }
  // Enqueues the variant for `schedule` on `stream` (no synchronization);
  // throws CudaError when a launch fails.
  virtual void run(const Schedule& schedule, ArgPack& args, cudaStream_t stream) const = 0;
  // More whole-grid schedules to time against the original (shrunk: each factor).
  virtual std::vector<Schedule> extra_timing_schedules() const { return {}; }
  // Kinds that can be stopped (persistent) measure their preemption latency
  // here, after the equivalence check; the others have nothing to report.
  virtual std::optional<PreemptionResult> measure_preemption(ArgPack& args, cudaStream_t stream) const {
    (void)args;
    (void)stream;
    return std::nullopt;
  }
};

using RunnerFactory = std::unique_ptr<VariantRunner> (*)(const KernelLaunch&, const ::miriam::VariantSymbol&);

std::unique_ptr<VariantRunner> make_sliced_runner(const KernelLaunch& launch, const ::miriam::VariantSymbol& variant);
std::unique_ptr<VariantRunner> make_persistent_runner(const KernelLaunch& launch,
                                                      const ::miriam::VariantSymbol& variant);
std::unique_ptr<VariantRunner> make_shrunk_runner(const KernelLaunch& launch, const ::miriam::VariantSymbol& variant);

// The runner for `kind`, or nullptr when elastic_check does not know the kind yet.
std::unique_ptr<VariantRunner> make_variant_runner(const std::string& kind, const KernelLaunch& launch,
                                                   const ::miriam::VariantSymbol& variant);

}  // namespace miriam::check
