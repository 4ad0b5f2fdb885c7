// miriam: critical kernels go out at once on the highest-priority stream;
// normal kernels go out as sliced shards sized by the ShardPlanner. A normal
// kernel without a sliced variant behaves as under ib (it cannot be cut).
#include "policies/policies.h"

namespace miriam::detail {

StreamAssignment MiriamPolicy::stream_for(const TaskDesc& task) const { return prioritized_stream(task); }

LaunchDecision MiriamPolicy::decide(const LaunchContext& c) const {
  LaunchDecision d;
  if (c.criticality == Criticality::kCritical) return d;  // issue whole, now

  if (!c.sliced_footprint) {
    if (c.critical_in_flight) d.action = LaunchAction::kHold, d.hold = HoldReason::kCriticalInFlight;
    return d;
  }
  const int limit = c.critical_in_flight ? options_.shards_in_flight_critical : options_.shards_in_flight_idle;
  if (c.own_shards_in_flight >= limit) {
    d.action = LaunchAction::kHold;
    d.hold = HoldReason::kOwnShardInFlight;
    return d;
  }
  // A critical request between kernels still counts: plan as if its last
  // kernel were still there, so a shard does not flood the GPU in the gap.
  d.shard = planner_.plan(ShardRequest{*c.sliced_footprint, c.blocks_remaining, c.sliced_timing},
                          c.critical_running, c.normal_running);
  if (c.critical_in_flight && c.critical_running.empty() && d.shard.blocks > 0) {
    // No kernel to size against: one wave of the whole GPU, the conservative unit.
    const std::uint64_t wave = planner_.free_slots(*c.sliced_footprint, {});
    if (d.shard.blocks > wave) {
      d.shard.blocks = wave;
      d.shard.reason = ShardReason::kFreeSlots;
    }
    d.shard.free_slots = wave;
  }
  if (d.shard.blocks == 0) {
    d.action = LaunchAction::kHold;
    d.hold = HoldReason::kNoRoom;
  } else {
    d.action = LaunchAction::kIssueShard;
  }
  return d;
}

}  // namespace miriam::detail
