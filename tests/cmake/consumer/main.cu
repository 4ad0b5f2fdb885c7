// Built, never run by the test (no GPU needed): the link is what is checked.
#include <cstdio>

#include <cuda_runtime.h>

#include "miriam/manifest.h"
#include "model.cuh"

int main(int argc, char** argv) {
  if (argc > 1) {
    // The manifest miriam_add_elastic_kernels() copied next to this binary.
    const miriam::Manifest manifest = miriam::load_manifest(argv[1]);
    std::printf("%s: %zu kernels\n", manifest.origin.c_str(), manifest.kernels.size());
  }
  float* data = nullptr;
  if (cudaMalloc(&data, 1024 * sizeof(float)) != cudaSuccess) return 1;
  model_scale_on_gpu(data, 1024);
  std::printf("%s: %s\n", model_name(), cudaGetErrorString(cudaDeviceSynchronize()));
  cudaFree(data);
  return 0;
}
