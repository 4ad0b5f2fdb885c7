// Runs tasks together under one policy: a fresh Coordinator, one application
// thread per task releasing requests on its arrival pattern, each request one
// model inference submitted through the coordinator; outputs are compared
// bit for bit with the task's solo output.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrivals.h"
#include "dnn/models/model.h"
#include "miriam/coordinator.h"
#include "options.h"
#include "report.h"
#include "workload.h"

namespace miriam::bench {

struct BenchTask {
  TaskSpec spec;
  std::unique_ptr<dnn::Model> model;
  std::uint64_t arrival_seed = 0;
  std::vector<unsigned char> reference;  // the output of its first solo request
  double solo_latency_us = 0;            // calibration: median closed-loop latency alone
  ResolvedArrival arrival;
  std::optional<double> deadline_us;
};

struct RunEnvironment {
  const KernelCatalog* catalog = nullptr;
  const Profile* profile = nullptr;
  std::function<cudaError_t(int, cudaStream_t*)> create_stream;  // unset: ordinary streams
  std::optional<GpuModel> gpu;                                   // set with a green context
  VerifyMode verify = VerifyMode::kEvery;
  PolicyOptions policy_options;
  bool order_critical_tasks = true;
  bool block_time_per_launch = true;
};

struct RunPlan {
  std::string label;  // "solo", "calibration" or the policy's name
  PolicyKind policy = PolicyKind::kMultistream;
  std::vector<BenchTask*> tasks;
  int warmup_requests = 0;
  std::optional<double> stop_after_s;  // stop uncounted tasks after this long (no counted task)
  std::optional<double> cut_after_s;   // stop every task after this long, counted ones too
  std::optional<int> closed_loop_count;  // calibration: this many back-to-back requests per task
  std::string trace_path;              // empty: no trace file
};

// Throws std::runtime_error when the coordinator cannot be set up.
PolicyRun run_tasks(const RunEnvironment& environment, const RunPlan& plan);

std::string describe(const ResolvedArrival& arrival);

}  // namespace miriam::bench
