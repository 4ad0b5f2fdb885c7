#include "miriam/status.h"

namespace miriam {

const char* to_string(Status status) {
  switch (status) {
    case Status::kSuccess: return "success";
    case Status::kErrorInvalidArgument: return "invalid argument";
    case Status::kErrorUnknownTask: return "unknown task";
    case Status::kErrorUnknownKernel: return "unknown kernel";
    case Status::kErrorNoRequestOpen: return "no request open for the task";
    case Status::kErrorRequestOpen: return "the task already has a request open";
    case Status::kErrorTooManyArguments: return "kernel arguments exceed the launch record's storage";
    case Status::kErrorCuda: return "CUDA error";
    case Status::kErrorShutDown: return "coordinator shut down";
    case Status::kErrorNotSupported: return "not supported";
    case Status::kErrorTimeout: return "timed out";
    case Status::kErrorContextLost: return "CUDA context lost (sticky error): restart the process";
  }
  return "unknown status";
}

}  // namespace miriam
