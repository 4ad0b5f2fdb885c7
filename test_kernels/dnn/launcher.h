#pragma once
// Where a model's kernels go. The layer wrappers describe each launch as
// cudaLaunchKernel would take it; a Launcher sends it on: straight to a
// stream (solo runs, tests) or to the Miriam coordinator as a submission of
// some task (the benchmark). Plain C++ callers can include this header.
#include <cuda_runtime_api.h>

#include <cstddef>

namespace miriam::dnn {

// One kernel launch. `args` points at the argument values in parameter
// order; they need only live until launch() returns.
struct LayerLaunch {
  const void* kernel = nullptr;  // host stub of the original kernel
  dim3 grid;
  dim3 block;
  std::size_t shared_bytes = 0;  // dynamic shared memory
  void** args = nullptr;
  const char* label = nullptr;   // short layer name for traces, e.g. "conv3x3"; may be null
};

class Launcher {
 public:
  virtual ~Launcher() = default;
  // Returns cudaSuccess when the launch was accepted.
  virtual cudaError_t launch(const LayerLaunch& launch) = 0;
};

// Launches on one stream with cudaLaunchKernel.
class StreamLauncher final : public Launcher {
 public:
  explicit StreamLauncher(cudaStream_t stream) : stream_(stream) {}
  cudaError_t launch(const LayerLaunch& l) override {
    return cudaLaunchKernel(l.kernel, l.grid, l.block, l.args, l.shared_bytes, stream_);
  }
  cudaStream_t stream() const { return stream_; }

 private:
  cudaStream_t stream_;
};

}  // namespace miriam::dnn
