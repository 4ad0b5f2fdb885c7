// A benchmark workload: tasks (a model, a batch, a criticality, an arrival
// pattern) that share one GPU. Read from a small JSON file; every error names
// the file and the field (e.g. "w.json: tasks[1].arrival.period_us: must be > 0").
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "miriam/task.h"

namespace miriam::bench {

class WorkloadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "synthetic:<launches>:<blocks>:<work>" or a DNN name ("resnet18", ...).
struct ModelSpec {
  std::string text;     // as written
  bool synthetic = false;
  std::string dnn_name; // when !synthetic
  int launches = 0, blocks = 0, work = 0;  // when synthetic
};

// Throws WorkloadError naming `field` when `text` is not a model spec.
ModelSpec parse_model_spec(const std::string& text, const std::string& field);

enum class ArrivalKind { kPeriodic, kPoisson, kClosedLoop };
const char* to_string(ArrivalKind kind);

// When requests are released. Intervals are given in microseconds, or as a
// multiple of the task's solo latency (measured before the runs), so one
// workload file fits a full GPU and an 8-SM partition alike.
struct Arrival {
  ArrivalKind kind = ArrivalKind::kClosedLoop;
  double period_us = 0;          // periodic: fixed
  double period_x_solo = 0;      // periodic: multiple of solo latency
  double rate_hz = 0;            // poisson: fixed mean rate
  double mean_gap_x_solo = 0;    // poisson: mean gap as a multiple of solo latency
  bool relative_to_solo() const { return period_x_solo > 0 || mean_gap_x_solo > 0; }
};

struct TaskSpec {
  std::string name;
  ModelSpec model;
  int batch = 1;
  Criticality criticality = Criticality::kNormal;
  int priority = 0;
  std::optional<double> deadline_us;
  std::optional<double> deadline_x_solo;  // deadline as a multiple of solo latency
  Arrival arrival;
  std::optional<int> count;  // requests to run; unset: runs until the counted tasks finish
  // dnn::ModelOptions::conv_split_depth of the task's model (0: convs unsplit);
  // set for normal tasks by --normal-conv-split-depth.
  int conv_split_depth = 0;
};

struct Workload {
  std::string name;
  std::string description;
  std::string origin;               // file it came from
  std::optional<double> duration_s; // for workloads without counted tasks
  int warmup_requests = 10;         // per task, left out of latency statistics
  std::vector<TaskSpec> tasks;

  bool has_counted_task() const;
};

Workload parse_workload(const std::string& json_text, const std::string& origin);
Workload load_workload(const std::string& path);  // throws WorkloadError

// Command-line overrides, applied after loading (and validated again).
struct WorkloadOverrides {
  std::optional<int> requests;        // count of every counted task
  std::optional<double> duration_s;
  std::optional<int> warmup_requests;
  std::optional<int> normal_conv_split_depth;  // conv_split_depth of every normal task
};
void apply_overrides(Workload& workload, const WorkloadOverrides& overrides);

}  // namespace miriam::bench
