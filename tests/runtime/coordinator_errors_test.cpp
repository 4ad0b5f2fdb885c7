// CPU side of the coordinator's error paths: which CUDA errors mean the
// context is lost, what a failed request's message says, and that a failed
// initialize() reports why and leaves a coordinator that destroys cleanly.
// Needs the CUDA runtime library, not a GPU.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>

#include "cuda/cuda_check.h"
#include "miriam/coordinator.h"

using namespace miriam;

TEST_CASE("device faults documented as sticky mean the context is lost") {
  for (cudaError_t e : {cudaErrorIllegalAddress, cudaErrorLaunchFailure, cudaErrorAssert, cudaErrorIllegalInstruction,
                        cudaErrorMisalignedAddress, cudaErrorInvalidAddressSpace, cudaErrorInvalidPc,
                        cudaErrorHardwareStackError, cudaErrorLaunchTimeout})
    CHECK_MESSAGE(detail::is_context_lost(e), cudaGetErrorName(e));
}

TEST_CASE("launch errors CUDA rejects before running anything are not sticky") {
  for (cudaError_t e : {cudaSuccess, cudaErrorInvalidConfiguration, cudaErrorInvalidValue,
                        cudaErrorLaunchOutOfResources, cudaErrorMemoryAllocation, cudaErrorInvalidResourceHandle,
                        cudaErrorNotReady, cudaErrorInvalidDeviceFunction})
    CHECK_MESSAGE(!detail::is_context_lost(e), cudaGetErrorName(e));
}

TEST_CASE("a failed request's message names the CUDA error, what failed and the task") {
  const std::string launch =
      detail::request_failure_text(cudaErrorInvalidConfiguration, "launch of kernel conv2d (shard)", "segment");
  CHECK(launch.find("cudaErrorInvalidConfiguration") != std::string::npos);
  CHECK(launch.find("conv2d") != std::string::npos);
  CHECK(launch.find("'segment'") != std::string::npos);
  CHECK(launch.find("context") == std::string::npos);  // the context goes on

  const std::string fault = detail::request_failure_text(cudaErrorIllegalAddress, "kernel gemm on the GPU", "detect");
  CHECK(fault.find("cudaErrorIllegalAddress") != std::string::npos);
  CHECK(fault.find("gemm") != std::string::npos);
  CHECK(fault.find("context is lost") != std::string::npos);
  CHECK(fault.find("restart the process") != std::string::npos);
}

TEST_CASE("every status has its own text") {
  CHECK(std::string(to_string(Status::kErrorContextLost)) != to_string(Status::kErrorCuda));
  CHECK(std::string(to_string(Status::kErrorContextLost)).find("context lost") != std::string::npos);
}

TEST_CASE("initialize on a device that does not exist fails with the CUDA error, and nothing else breaks") {
  CoordinatorConfig config;
  config.device = 4096;  // no host has that many
  Coordinator coord(config);
  CHECK(coord.initialize() == Status::kErrorCuda);
  CHECK(coord.last_error().find("failed") != std::string::npos);
  TaskId task = 0;
  CHECK(coord.add_task(TaskDesc{"t", Criticality::kNormal, 0, std::nullopt}, &task) == Status::kErrorInvalidArgument);
  RequestId id = 0;
  CHECK(coord.begin_request(0, &id) == Status::kErrorInvalidArgument);
}  // destroyed after a failed initialize: must not touch the dispatcher or CUDA objects
