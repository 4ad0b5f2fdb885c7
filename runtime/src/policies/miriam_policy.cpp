// miriam: critical kernels go out at once on the highest-priority stream.
// A normal kernel with a persistent variant runs as a persistent launch sized
// to the room critical kernels leave, and is preempted at a logical-block
// boundary when a critical kernel needs its SMs; otherwise it goes out as
// sliced shards sized by the ShardPlanner. A normal kernel with neither
// behaves as under ib (it cannot be cut or stopped).
#include <algorithm>

#include "policies/policies.h"

namespace miriam::detail {

StreamAssignment MiriamPolicy::stream_for(const TaskDesc& task) const { return prioritized_stream(task); }

LaunchDecision MiriamPolicy::decide(const LaunchContext& c) const {
  if (c.criticality == Criticality::kCritical) return LaunchDecision{};  // issue whole, now
  if (std::optional<LaunchDecision> d = decide_persistent(c)) return *d;
  return decide_sliced(c);
}

std::optional<LaunchDecision> MiriamPolicy::decide_persistent(const LaunchContext& c) const {
  if (!options_.use_persistent || !c.persistent_footprint) return std::nullopt;
  if (!persistent_.prefer_persistent(*c.persistent_footprint, c.persistent_timing, c.sliced_footprint,
                                     c.sliced_timing))
    return std::nullopt;
  if (c.sliced_footprint && c.sliced_timing && !c.sliced_timing->empty()) {
    // Short enough that no critical kernel can wait long behind it: the
    // sliced variant runs it without the persistent loop's overhead.
    const std::uint64_t full = static_cast<std::uint64_t>(planner_.gpu().sm_count) *
                               static_cast<std::uint64_t>(blocks_per_sm(planner_.gpu(), *c.sliced_footprint));
    if (c.sliced_timing->expected_us(c.blocks_remaining, full, full) <= options_.planner.critical_budget_us)
      return std::nullopt;
  }
  if (c.own_shards_in_flight > 0) {
    // Shards of this kernel still run: a persistent launch would stack on them.
    return LaunchDecision{LaunchAction::kHold, HoldReason::kOwnShardInFlight, {}, {}};
  }
  LaunchDecision d;
  d.persistent = persistent_.size(*c.persistent_footprint, c.blocks_remaining, c.critical_in_flight,
                                  c.critical_running, c.normal_running);
  if (d.persistent.physical_blocks == 0) return std::nullopt;  // no idle SM: shards (or hold) instead
  d.action = LaunchAction::kIssuePersistent;
  return d;
}

LaunchDecision MiriamPolicy::decide_sliced(const LaunchContext& c) const {
  LaunchDecision d;
  const bool starving = options_.normal_max_hold_us > 0 && c.held_us >= options_.normal_max_hold_us;
  if (!c.sliced_footprint) {
    if (c.critical_in_flight && !starving) d.action = LaunchAction::kHold, d.hold = HoldReason::kCriticalInFlight;
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
  if (d.shard.blocks == 0 && starving) {
    d.shard.blocks = std::min<std::uint64_t>(c.blocks_remaining, static_cast<std::uint64_t>(planner_.gpu().sm_count));
    d.shard.reason = ShardReason::kStarvationBound;
  }
  if (d.shard.blocks == 0) {
    d.action = LaunchAction::kHold;
    d.hold = HoldReason::kNoRoom;
  } else {
    d.action = LaunchAction::kIssueShard;
  }
  return d;
}

void MiriamPolicy::choose_preemptions(const PreemptionContext& c, std::vector<std::size_t>* stop) const {
  persistent_.choose_preemptions(c.arriving, c.critical_running, c.persistent_running, stop);
}

}  // namespace miriam::detail
