// A model of one GPU's per-SM limits and of what a kernel's blocks use, so
// shard sizing can be computed (and unit-tested) without a GPU. The real
// runtime fills GpuModel from cudaGetDeviceProperties and KernelFootprint
// from cudaFuncGetAttributes / cudaOccupancyMaxActiveBlocksPerMultiprocessor.
#pragma once

#include <cstdint>
#include <string>

namespace miriam {

struct GpuModel {
  int sm_count = 0;
  int max_threads_per_sm = 2048;
  int max_registers_per_sm = 65536;
  std::uint64_t max_shared_per_sm = 228 * 1024;      // usable by blocks
  int max_blocks_per_sm = 32;
  int warp_size = 32;
  int register_allocation_unit = 256;                // registers per warp are rounded up to this
  std::uint64_t reserved_shared_per_block = 1024;    // the driver reserves this per resident block

  static GpuModel hopper(int sm_count);  // H100/H200 limits, sm_90
  std::string describe() const;
};

// What one block of a kernel needs from an SM.
struct KernelFootprint {
  int threads_per_block = 0;
  int registers_per_thread = 0;
  std::uint64_t shared_bytes_per_block = 0;  // static + dynamic
  int max_blocks_per_sm = 0;  // from the occupancy API when known; 0 = compute from the model
};

// Resources of one SM: a capacity, a usage, or what is left.
struct SmResources {
  int threads = 0;
  int registers = 0;
  std::uint64_t shared_bytes = 0;
  int blocks = 0;

  SmResources& operator+=(const SmResources& o);
  SmResources scaled(int factor) const;
};

SmResources sm_capacity(const GpuModel& gpu);
SmResources block_usage(const GpuModel& gpu, const KernelFootprint& kernel);

// How many blocks of `kernel` fit into `free` room on one SM.
int blocks_fitting(const GpuModel& gpu, const KernelFootprint& kernel, const SmResources& free);

// Blocks of `kernel` resident on an empty SM (its occupancy).
int blocks_per_sm(const GpuModel& gpu, const KernelFootprint& kernel);

// Blocks of `kernel` resident on the whole empty GPU: one full wave.
std::uint64_t gpu_slots(const GpuModel& gpu, const KernelFootprint& kernel);

// A kernel (or a shard) on the GPU: its footprint and how many of its
// blocks are still to run or running.
struct KernelLoad {
  KernelFootprint footprint;
  std::uint64_t blocks = 0;
};

// Where running kernels sit: `busy_sms` SMs each use `per_busy_sm`.
// Conservative: loads are assumed to stack on the same SMs and to spread
// over as many SMs as their blocks can cover.
struct SmOccupancy {
  int busy_sms = 0;
  SmResources per_busy_sm;
};

SmOccupancy occupancy_of(const GpuModel& gpu, const KernelLoad* loads, std::size_t count);

}  // namespace miriam
