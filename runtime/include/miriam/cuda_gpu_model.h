// The GpuModel of a CUDA device, from its properties: what the coordinator
// plans against, and what a caller confining work to N SMs (a green context)
// starts from before setting sm_count.
#pragma once

#include <cuda_runtime_api.h>

#include "miriam/gpu_model.h"

namespace miriam {

GpuModel gpu_model_from(const cudaDeviceProp& prop);

}  // namespace miriam
