// A local header of the kernel file: editing it must re-run miriamc.
#pragma once

#include <model_config.h>

#ifndef MODEL_SCALE
#error "MODEL_SCALE comes from target_compile_definitions(app ...)"
#endif

__device__ inline float model_scale(float x) { return x * MODEL_SCALE; }

// Host entry point, defined in model.cu, called from main.cu.
void model_scale_on_gpu(float* device_data, int n);
const char* model_name();
