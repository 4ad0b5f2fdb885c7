// Copies a task's output back after a request and compares it bit for bit
// with the task's reference (its first solo output), on a stream of its own.
#pragma once

#include <cuda_runtime_api.h>

#include <string>
#include <vector>

#include "runner.h"

namespace miriam::bench {

class OutputChecker {
 public:
  // Throws std::runtime_error when the copy stream cannot be created.
  OutputChecker(BenchTask& task, const RunEnvironment& env);
  ~OutputChecker();
  OutputChecker(const OutputChecker&) = delete;
  OutputChecker& operator=(const OutputChecker&) = delete;

  // Copies the output; the first one becomes the reference. Returns false on a mismatch.
  bool check(std::string* error);

 private:
  BenchTask& task_;
  std::vector<unsigned char> host_;
  cudaStream_t stream_ = nullptr;
};

}  // namespace miriam::bench
