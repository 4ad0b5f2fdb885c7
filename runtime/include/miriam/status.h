// Status codes returned by the runtime's API (CUTLASS style: an enum and a
// string function, so a caller can log or compare without exceptions).
#pragma once

namespace miriam {

enum class Status {
  kSuccess,
  kErrorInvalidArgument,    // a caller's argument is out of range or null
  kErrorUnknownTask,        // a task id the coordinator never issued
  kErrorUnknownKernel,      // a kernel the coordinator cannot launch
  kErrorNoRequestOpen,      // end_request without begin_request
  kErrorRequestOpen,        // begin_request while the task already has one open
  kErrorTooManyArguments,   // argument bytes exceed a launch record's inline storage
  kErrorCuda,               // a CUDA call failed; the request records which
  kErrorShutDown,           // the coordinator is stopping
  kErrorNotSupported,       // the policy or build does not offer this
  kErrorTimeout,            // a wait ran out of time
  kErrorContextLost,        // a sticky CUDA error (a device fault): no GPU work can run in this process any more
};

const char* to_string(Status status);

}  // namespace miriam
