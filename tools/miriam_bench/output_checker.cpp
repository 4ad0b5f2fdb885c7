#include "output_checker.h"

#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace miriam::bench {

OutputChecker::OutputChecker(BenchTask& task, const RunEnvironment& env) : task_(task) {
  host_.resize(task.model->output_elements() * sizeof(float));
  const cudaError_t e = env.create_stream ? env.create_stream(0, &stream_)
                                          : cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking);
  if (e != cudaSuccess) throw std::runtime_error(std::string("creating a copy stream: ") + cudaGetErrorString(e));
}

OutputChecker::~OutputChecker() { cudaStreamDestroy(stream_); }

bool OutputChecker::check(std::string* error) {
  cudaError_t e = cudaMemcpyAsync(host_.data(), task_.model->output(), host_.size(), cudaMemcpyDeviceToHost, stream_);
  if (e == cudaSuccess) e = cudaStreamSynchronize(stream_);
  if (e != cudaSuccess) {
    *error = std::string("copying the output: ") + cudaGetErrorString(e);
    return false;
  }
  if (task_.reference.empty()) {
    task_.reference = host_;
    return true;
  }
  if (std::memcmp(host_.data(), task_.reference.data(), host_.size()) == 0) return true;
  std::size_t first = 0;
  while (first < host_.size() && host_[first] == task_.reference[first]) ++first;
  *error = fmt::format("output differs from the solo output (first differing float: {})", first / sizeof(float));
  return false;
}

}  // namespace miriam::bench
