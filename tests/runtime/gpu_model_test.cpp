// The GPU model's occupancy arithmetic, checked against hand-computed sm_90 numbers.
#include <doctest/doctest.h>

#include "miriam/gpu_model.h"

using namespace miriam;

TEST_CASE("blocks per SM follow the scarcest resource") {
  const GpuModel gpu = GpuModel::hopper(132);
  CHECK(blocks_per_sm(gpu, KernelFootprint{256, 32, 0, 0}) == 8);        // threads and registers
  CHECK(blocks_per_sm(gpu, KernelFootprint{256, 128, 0, 0}) == 2);       // registers
  CHECK(blocks_per_sm(gpu, KernelFootprint{64, 16, 100 * 1024, 0}) == 2);  // shared memory (+1 KB reserved)
  CHECK(blocks_per_sm(gpu, KernelFootprint{32, 16, 0, 0}) == 32);        // the block limit
  CHECK(blocks_per_sm(gpu, KernelFootprint{256, 32, 0, 4}) == 4);        // the occupancy API wins
  CHECK(blocks_per_sm(gpu, KernelFootprint{100, 33, 0, 0}) == 12);       // 4 warps x 1280 regs (33 rounded up)
}

TEST_CASE("occupancy of critical kernels: breadth-first over SMs, stacked when several") {
  const GpuModel gpu = GpuModel::hopper(132);
  const KernelFootprint k{256, 32, 0, 0};
  KernelLoad small{k, 66};
  SmOccupancy occ = occupancy_of(gpu, &small, 1);
  CHECK(occ.busy_sms == 66);
  CHECK(occ.per_busy_sm.blocks == 1);
  CHECK(occ.per_busy_sm.threads == 256);

  KernelLoad big{k, 132 * 20};  // more than resident: capped at occupancy
  occ = occupancy_of(gpu, &big, 1);
  CHECK(occ.busy_sms == 132);
  CHECK(occ.per_busy_sm.blocks == 8);

  KernelLoad two[] = {{k, 100}, {k, 100}};
  occ = occupancy_of(gpu, two, 2);
  CHECK(occ.busy_sms == 132);
  CHECK(occ.per_busy_sm.blocks == 2);
}
