// One workload end to end: models, calibration, solo runs, one run per policy.
#pragma once

#include <string>

#include "options.h"
#include "report.h"
#include "runner.h"

namespace miriam::bench {

struct DeviceInfo {
  std::string card;
  int sm_count = 0;       // SMs the runs can use
  int sms_requested = 0;  // --sms, 0 for the whole GPU
};

// Throws WorkloadError / std::runtime_error on setup failures.
BenchReport run_workload(const Workload& workload, const Options& options, const RunEnvironment& environment,
                         const DeviceInfo& device, const std::string& commit, const std::string& date);

// "full" or "sms8": the tag of result and trace file names.
std::string sm_tag(const DeviceInfo& device);

}  // namespace miriam::bench
