// One workload end to end: models, calibration, solo runs, one run per policy.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "options.h"
#include "report.h"
#include "runner.h"

namespace miriam::bench {

struct DeviceInfo {
  std::string card;
  int sm_count = 0;       // SMs the runs can use
  int sms_requested = 0;  // --sms, 0 for the whole GPU
};

// Makes each task's model and calibrates it alone (back-to-back requests):
// the median latency resolves intervals given relative to solo, and the first
// output becomes the reference every later request is compared with.
// Throws std::runtime_error when a model cannot be made or fails alone.
std::vector<std::unique_ptr<BenchTask>> prepare_tasks(const Workload& workload, const Options& options,
                                                      const RunEnvironment& environment);

// The miriam policy's planning settings, for the record.
std::string describe_planner(const Options& options);

// The header of a result file of `workload` run with `options` on `device`.
RunHeader run_header(const Workload& workload, const Options& options, const DeviceInfo& device,
                     const std::string& commit, const std::string& date);

// Throws WorkloadError / std::runtime_error on setup failures.
BenchReport run_workload(const Workload& workload, const Options& options, const RunEnvironment& environment,
                         const DeviceInfo& device, const std::string& commit, const std::string& date);

// "full" or "sms8": the tag of result and trace file names.
std::string sm_tag(const DeviceInfo& device);

}  // namespace miriam::bench
