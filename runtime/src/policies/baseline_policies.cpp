// sequential, multistream, priority: every launch goes out whole at once;
// they differ only in streams.
#include "policies/policies.h"

namespace miriam::detail {

namespace {
LaunchDecision issue_whole() { return LaunchDecision{LaunchAction::kIssueWhole, HoldReason::kNone, {}}; }
}  // namespace

StreamAssignment prioritized_stream(const TaskDesc& task) {
  return StreamAssignment{false, task.criticality == Criticality::kCritical ? StreamPriority::kHighest
                                                                            : StreamPriority::kLowest};
}

StreamAssignment SequentialPolicy::stream_for(const TaskDesc&) const {
  return StreamAssignment{true, StreamPriority::kDefault};
}
LaunchDecision SequentialPolicy::decide(const LaunchContext&) const { return issue_whole(); }

StreamAssignment MultistreamPolicy::stream_for(const TaskDesc&) const {
  return StreamAssignment{false, StreamPriority::kDefault};
}
LaunchDecision MultistreamPolicy::decide(const LaunchContext&) const { return issue_whole(); }

StreamAssignment PriorityPolicy::stream_for(const TaskDesc& task) const { return prioritized_stream(task); }
LaunchDecision PriorityPolicy::decide(const LaunchContext&) const { return issue_whole(); }

}  // namespace miriam::detail
