#include "run_header.h"

namespace miriam::bench {

nlohmann::json run_header_json(const RunHeader& h) {
  return {{"workload", h.workload},
          {"description", h.description},
          {"workload_file", h.workload_file},
          {"card", h.card},
          {"sm_count", h.sm_count},
          {"sms_requested", h.sms_requested},
          {"date", h.date},
          {"commit", h.commit},
          {"seed", h.seed},
          {"planner", h.planner},
          {"latency_definition", "scheduled release -> completion of the request's last kernel (host clock)"}};
}

nlohmann::json task_json(const TaskSpec& t, double solo_latency_us) {
  return {{"name", t.name},
          {"model", t.model.text},
          {"batch", t.batch},
          {"criticality", to_string(t.criticality)},
          {"arrival", to_string(t.arrival.kind)},
          {"conv_split_depth", t.conv_split_depth},
          {"solo_latency_us", solo_latency_us}};
}

}  // namespace miriam::bench
