// What every miriam_bench result file (benchmark or soak) records about its
// run: the workload, the card, the commit and the miriam planner's settings.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "workload.h"

namespace miriam::bench {

struct RunHeader {
  std::string workload, description, workload_file;
  std::string card, date, commit;
  int sm_count = 0;       // SMs the runs could use
  int sms_requested = 0;  // --sms (0: the whole GPU)
  std::uint64_t seed = 0;
  std::string planner;    // the miriam policy's planning settings, for the record
};

// The header's fields, and how latency is defined, as JSON members.
nlohmann::json run_header_json(const RunHeader& header);

// One task of the workload as both reports record it (each adds its own members).
nlohmann::json task_json(const TaskSpec& task, double solo_latency_us);

}  // namespace miriam::bench
