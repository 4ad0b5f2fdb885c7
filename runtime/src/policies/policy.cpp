// Names and the factory; each policy lives in its own file.
#include "miriam/policy.h"

#include <algorithm>
#include <set>

#include "policies/policies.h"

namespace miriam {

const char* to_string(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kSequential: return "sequential";
    case PolicyKind::kMultistream: return "multistream";
    case PolicyKind::kPriority: return "priority";
    case PolicyKind::kIb: return "ib";
    case PolicyKind::kMiriam: return "miriam";
  }
  return "unknown";
}

std::optional<PolicyKind> policy_kind_from_string(const std::string& name) {
  for (PolicyKind k : {PolicyKind::kSequential, PolicyKind::kMultistream, PolicyKind::kPriority, PolicyKind::kIb,
                       PolicyKind::kMiriam})
    if (name == to_string(k)) return k;
  return std::nullopt;
}

const char* to_string(LaunchAction action) {
  switch (action) {
    case LaunchAction::kIssueWhole: return "issue whole";
    case LaunchAction::kIssueShard: return "issue shard";
    case LaunchAction::kIssuePersistent: return "issue persistent";
    case LaunchAction::kHold: return "hold";
  }
  return "unknown";
}

const char* to_string(HoldReason reason) {
  switch (reason) {
    case HoldReason::kNone: return "none";
    case HoldReason::kCriticalInFlight: return "critical request in flight";
    case HoldReason::kOwnShardInFlight: return "own shard in flight";
    case HoldReason::kNoRoom: return "no room beside critical kernels";
    case HoldReason::kLongBlocks: return "blocks outlast the critical budget";
    case HoldReason::kCriticalDue: return "periodic critical request due";
  }
  return "unknown";
}

int cuda_stream_priority(StreamPriority priority, int task_priority, const std::vector<int>& critical_priorities,
                         int lowest, int highest, bool order_critical) {
  if (priority == StreamPriority::kLowest) return lowest;
  if (priority == StreamPriority::kDefault) return 0;
  if (!order_critical || lowest - highest < 2) return highest;  // no level to spare below the critical one
  std::set<int> above;  // distinct task priorities ranked before this one
  for (int p : critical_priorities)
    if (p > task_priority) above.insert(p);
  const int last_critical_level = lowest - 1;
  return std::min(highest + static_cast<int>(above.size()), last_critical_level);
}

std::unique_ptr<Policy> make_policy(PolicyKind kind, const GpuModel& gpu, const PolicyOptions& options) {
  switch (kind) {
    case PolicyKind::kSequential: return std::make_unique<detail::SequentialPolicy>();
    case PolicyKind::kMultistream: return std::make_unique<detail::MultistreamPolicy>();
    case PolicyKind::kPriority: return std::make_unique<detail::PriorityPolicy>();
    case PolicyKind::kIb: return std::make_unique<detail::IbPolicy>();
    case PolicyKind::kMiriam: return std::make_unique<detail::MiriamPolicy>(gpu, options);
  }
  return nullptr;
}

}  // namespace miriam
