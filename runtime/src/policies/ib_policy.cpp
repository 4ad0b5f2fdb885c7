// ib (inter-stream barrier): normal kernels wait while any critical request
// is in flight, then go out whole.
#include "policies/policies.h"

namespace miriam::detail {

StreamAssignment IbPolicy::stream_for(const TaskDesc& task) const { return prioritized_stream(task); }

LaunchDecision IbPolicy::decide(const LaunchContext& c) const {
  if (c.criticality == Criticality::kNormal && c.critical_in_flight)
    return LaunchDecision{LaunchAction::kHold, HoldReason::kCriticalInFlight, {}};
  return LaunchDecision{LaunchAction::kIssueWhole, HoldReason::kNone, {}};
}

}  // namespace miriam::detail
