#include "miriam/gpu_model.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace miriam {

GpuModel GpuModel::hopper(int sm_count) {
  GpuModel g;
  g.sm_count = sm_count;
  return g;  // the defaults are sm_90's limits
}

std::string GpuModel::describe() const {
  return fmt::format("{} SMs x ({} threads, {} registers, {} B shared, {} blocks)", sm_count,
                     max_threads_per_sm, max_registers_per_sm, max_shared_per_sm, max_blocks_per_sm);
}

SmResources& SmResources::operator+=(const SmResources& o) {
  threads += o.threads;
  registers += o.registers;
  shared_bytes += o.shared_bytes;
  blocks += o.blocks;
  return *this;
}

SmResources SmResources::scaled(int factor) const {
  return SmResources{threads * factor, registers * factor, shared_bytes * static_cast<std::uint64_t>(factor),
                     blocks * factor};
}

SmResources sm_capacity(const GpuModel& gpu) {
  return SmResources{gpu.max_threads_per_sm, gpu.max_registers_per_sm, gpu.max_shared_per_sm,
                     gpu.max_blocks_per_sm};
}

SmResources block_usage(const GpuModel& gpu, const KernelFootprint& kernel) {
  const int warps = (kernel.threads_per_block + gpu.warp_size - 1) / gpu.warp_size;
  const int unit = std::max(1, gpu.register_allocation_unit);
  const int regs_per_warp = (kernel.registers_per_thread * gpu.warp_size + unit - 1) / unit * unit;
  return SmResources{warps * gpu.warp_size, warps * regs_per_warp,
                     kernel.shared_bytes_per_block + gpu.reserved_shared_per_block, 1};
}

int blocks_fitting(const GpuModel& gpu, const KernelFootprint& kernel, const SmResources& free) {
  if (kernel.threads_per_block <= 0) return 0;
  const SmResources need = block_usage(gpu, kernel);
  auto fit = [](long long have, long long per) {
    if (have <= 0) return 0LL;
    return per <= 0 ? std::numeric_limits<int>::max() * 1LL : have / per;
  };
  long long n = std::min({fit(free.threads, need.threads), fit(free.registers, need.registers),
                          fit(static_cast<long long>(free.shared_bytes), static_cast<long long>(need.shared_bytes)),
                          fit(free.blocks, 1)});
  return static_cast<int>(n);
}

int blocks_per_sm(const GpuModel& gpu, const KernelFootprint& kernel) {
  const int modelled = blocks_fitting(gpu, kernel, sm_capacity(gpu));
  // The occupancy API knows what the model does not (e.g. carveout); trust it when given.
  return kernel.max_blocks_per_sm > 0 ? std::min(kernel.max_blocks_per_sm, std::max(modelled, 1))
                                      : modelled;
}

std::uint64_t gpu_slots(const GpuModel& gpu, const KernelFootprint& kernel) {
  return static_cast<std::uint64_t>(std::max(gpu.sm_count, 0)) *
         static_cast<std::uint64_t>(std::max(blocks_per_sm(gpu, kernel), 0));
}

SmOccupancy occupancy_of(const GpuModel& gpu, const KernelLoad* loads, std::size_t count) {
  SmOccupancy occ;
  long long busy = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const KernelLoad& load = loads[i];
    if (load.blocks == 0) continue;
    const std::uint64_t sms = static_cast<std::uint64_t>(gpu.sm_count);
    const int resident = std::max(1, blocks_per_sm(gpu, load.footprint));
    // The block scheduler spreads blocks breadth-first: one per SM before a second.
    const std::uint64_t per_sm = std::min<std::uint64_t>(resident, (load.blocks + sms - 1) / sms);
    busy += static_cast<long long>(std::min(load.blocks, sms));
    occ.per_busy_sm += block_usage(gpu, load.footprint).scaled(static_cast<int>(per_sm));
  }
  occ.busy_sms = static_cast<int>(std::min<long long>(busy, gpu.sm_count));
  return occ;
}

}  // namespace miriam
