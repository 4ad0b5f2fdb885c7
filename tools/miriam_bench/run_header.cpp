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

}  // namespace miriam::bench
