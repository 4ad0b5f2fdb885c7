// The benchmark's Launcher: every layer launch of a model becomes a
// submission of one task to the Miriam coordinator.
#pragma once

#include <string>
#include <unordered_set>

#include "dnn/launcher.h"
#include "miriam/coordinator.h"

namespace miriam::bench {

class CoordinatorLauncher final : public dnn::Launcher {
 public:
  CoordinatorLauncher(Coordinator& coordinator, TaskId task) : coordinator_(coordinator), task_(task) {}

  cudaError_t launch(const dnn::LayerLaunch& l) override {
    KernelLaunch k;
    k.kernel = l.kernel;
    k.grid = l.grid;
    k.block = l.block;
    k.shared_bytes = l.shared_bytes;
    k.args = l.args;
    k.label = intern(l.label);
    last_status_ = coordinator_.submit(task_, k);
    if (last_status_ == Status::kSuccess) return cudaSuccess;
    return last_status_ == Status::kErrorCuda ? cudaErrorLaunchFailure : cudaErrorInvalidValue;
  }

  Status last_status() const { return last_status_; }

 private:
  // The coordinator keeps the label pointer until the kernel completes; a
  // model may pass a temporary, so labels are copied once and kept here.
  const char* intern(const char* label) {
    if (!label) return nullptr;
    return labels_.emplace(label).first->c_str();
  }

  Coordinator& coordinator_;
  TaskId task_;
  Status last_status_ = Status::kSuccess;
  std::unordered_set<std::string> labels_;
};

}  // namespace miriam::bench
