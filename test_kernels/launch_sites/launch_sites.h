// A small host program whose launch sites `miriamc --rewrite-launches`
// rewrites (launch_sites.cu); tests run it with and without a current task.
#pragma once

#include <cuda_runtime.h>

#include <vector>

struct LaunchSitesResult {
  std::vector<float> scaled;      // scale, add_index<float, 2>, axpy<float>
  std::vector<int> filled;        // fill (implicit conversions), use_pair
  std::vector<double> axpy_out;   // run_axpy<double> (launch in a template)
  std::vector<int> ordered;       // written by a slow kernel, copied on the caller's stream
  unsigned launches = 0;          // kernel launches the workload made
  unsigned direct_sites = 0;      // of which at sites miriamc refuses (stay <<<>>>)
  unsigned rejected = 0;          // of which CUDA rejects (invalid configuration)
  cudaError_t bad_launch_error = cudaSuccess;  // cudaGetLastError() after an invalid launch
  cudaError_t error = cudaSuccess;             // first failing CUDA call
};

// Runs the workload on a stream of its own (or the legacy default stream).
LaunchSitesResult run_launch_sites(int n, bool use_default_stream);
