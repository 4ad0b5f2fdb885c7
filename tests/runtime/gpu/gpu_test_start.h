// The start of every runtime GPU test program: stdout line-buffered (even into
// a file, so a run killed by a timeout still shows how far it got), and the
// skip when there is no GPU.
#pragma once

#include <cuda_runtime.h>

#include <cstdio>

// The number of CUDA devices; 0, after printing why, when there is none:
// main() then returns 77, which ctest reports as skipped.
inline int gpu_test_start() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("no CUDA device: skipping\n");
    return 0;
  }
  return devices;
}
