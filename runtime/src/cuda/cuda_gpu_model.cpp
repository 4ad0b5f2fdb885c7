#include "miriam/cuda_gpu_model.h"

namespace miriam {

GpuModel gpu_model_from(const cudaDeviceProp& prop) {
  GpuModel gpu;
  gpu.sm_count = prop.multiProcessorCount;
  gpu.max_threads_per_sm = prop.maxThreadsPerMultiProcessor;
  gpu.max_registers_per_sm = prop.regsPerMultiprocessor;
  gpu.max_shared_per_sm = prop.sharedMemPerMultiprocessor;
  gpu.max_blocks_per_sm = prop.maxBlocksPerMultiProcessor;
  gpu.warp_size = prop.warpSize;
  gpu.reserved_shared_per_block = prop.reservedSharedMemPerBlock;
  return gpu;
}

}  // namespace miriam
