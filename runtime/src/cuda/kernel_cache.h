// What the coordinator needs per kernel, gathered once from the CUDA runtime
// (attributes, parameter sizes, occupancy) and the catalog (variants),
// so the launch path does no queries and no allocation.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "miriam/gpu_model.h"
#include "miriam/kernel_catalog.h"
#include "miriam/profile.h"
#include "miriam/shard_planner.h"
#include "miriam/status.h"

namespace miriam::detail {

constexpr std::size_t kMaxKernelParams = 64;
constexpr std::size_t kMaxArgBytes = 1024;

// Footprints and timings of one launch shape (block, dynamic shared memory).
struct LaunchFootprints {
  KernelFootprint original, sliced, persistent;
  const ShardTiming* sliced_timing = nullptr;
  const ShardTiming* persistent_timing = nullptr;
  // The shrunk variant at f = 2, 4, 8 where f divides the block's thread
  // count and the variant accepts f; whether f divides the block's outermost
  // extent (shrink_factor_valid) depends on the shape: checked per launch.
  ShrunkOptions shrunk;
};

struct KernelEntry {
  const void* original = nullptr;
  const void* sliced = nullptr;      // null: no sliced variant bound
  const void* persistent = nullptr;  // null: no persistent variant bound
  const void* shrunk = nullptr;      // null: no shrunk variant that takes a slice bound
  unsigned shrink_max_factor = 0;    // of the shrunk variant: 0 = any factor dividing the extent
  std::string label;
  std::string mangled;           // empty for kernels no manifest describes
  std::vector<std::uint32_t> arg_offsets;  // where each argument's bytes go in a launch record
  std::vector<std::uint32_t> arg_sizes;
  std::uint32_t arg_bytes = 0;
  cudaFuncAttributes attrs{};
  cudaFuncAttributes sliced_attrs{};
  cudaFuncAttributes persistent_attrs{};
  cudaFuncAttributes shrunk_attrs{};

  // The last launch shape asked: launches of one kernel repeat shapes, so
  // the occupancy API and the profile are asked once per shape change.
  int cached_threads = -1;
  std::size_t cached_shared = 0;
  LaunchFootprints cached;
};

class KernelCache {
 public:
  KernelCache(const KernelCatalog* catalog, const Profile* profile) : catalog_(catalog), profile_(profile) {}

  // Finds or builds the entry; fails for a pointer that is not a kernel.
  Status get(const void* kernel, KernelEntry** entry, std::string& error_message);

  // Footprints of the original and its variants for a launch shape.
  const LaunchFootprints& footprints(KernelEntry& entry, dim3 block, std::size_t shared_bytes);

 private:
  const KernelCatalog* catalog_;
  const Profile* profile_;
  std::unordered_map<const void*, std::unique_ptr<KernelEntry>> entries_;
};

}  // namespace miriam::detail
