// miriam: critical kernels go out at once on the highest-priority stream.
// A normal kernel with a persistent variant runs as a persistent launch sized
// to the room critical kernels leave, and is preempted at a logical-block
// boundary when a critical kernel needs its SMs; otherwise it goes out as
// sliced shards sized by the ShardPlanner; when a running critical kernel
// leaves room for no full block, as shrunk shards (blocks of B/f threads)
// that fit the room, if it has a shrunk variant. A normal kernel with neither
// behaves as under ib (it cannot be cut or stopped).
//
// Long normal blocks are the critical task's enemy: a critical kernel waits
// for the normal blocks on the SMs it needs. So, by the blocks' measured
// duration: a sliced launch whose blocks outlast the critical budget waits
// while a critical request is in flight, and nothing whose blocks would still
// run goes out just before a periodic critical request is due.
#include <algorithm>

#include "policies/policies.h"

namespace miriam::detail {

StreamAssignment MiriamPolicy::stream_for(const TaskDesc& task) const { return prioritized_stream(task); }

LaunchDecision MiriamPolicy::decide(const LaunchContext& c) const {
  if (c.criticality == Criticality::kCritical) return LaunchDecision{};  // issue whole, now
  const bool persistent = options_.use_persistent && c.persistent_footprint;
  // With a periodic critical task, normal work has its turn between requests
  // (drained ahead of each): long persistent blocks need not run beside its
  // kernels. With unpredictable arrivals they are how normal work progresses.
  const bool hold_persistent =
      options_.hold_long_persistent || (options_.drain_ahead && c.us_until_critical_due.has_value());
  const bool checked_as_sliced = !persistent || hold_persistent;
  if (std::optional<LaunchDecision> hold = hold_for_critical(c, checked_as_sliced)) return *hold;
  if (std::optional<LaunchDecision> d = decide_persistent(c)) return *d;
  // No persistent launch now: it goes out as a shard, which cannot be stopped.
  if (!checked_as_sliced && c.sliced_footprint)
    if (std::optional<LaunchDecision> hold = hold_for_critical(c, true)) return *hold;
  LaunchDecision d = decide_sliced(c);
  cap_before_due(c, &d);
  return d;
}

bool MiriamPolicy::starved(const LaunchContext& c) const {
  return (options_.normal_max_hold_us > 0 && c.held_us >= options_.normal_max_hold_us) ||
         (options_.normal_max_wait_us > 0 && c.held_total_us >= options_.normal_max_wait_us);
}

std::optional<double> MiriamPolicy::block_us(const LaunchContext& c) const {
  if (c.observed_block_us) return c.observed_block_us;
  if (c.sliced_footprint && c.sliced_timing && !c.sliced_timing->empty()) {
    return c.sliced_timing->wave_us(gpu_slots(planner_.gpu(), *c.sliced_footprint));
  }
  return std::nullopt;
}

std::optional<LaunchDecision> MiriamPolicy::hold_for_critical(const LaunchContext& c, bool sliced) const {
  const bool starving = starved(c);
  const std::optional<double> b = block_us(c);
  if (starving || !b) return std::nullopt;
  // A shard cannot be stopped: its blocks run to the end beside the critical
  // kernels. (A persistent launch can, at its next logical block.)
  if (sliced && options_.hold_long_blocks && c.critical_in_flight && *b > options_.planner.critical_budget_us)
    return LaunchDecision{LaunchAction::kHold, HoldReason::kLongBlocks, {}, {}};
  if (options_.drain_ahead && !c.critical_in_flight && c.us_until_critical_due &&
      *b + options_.drain_margin_us >= *c.us_until_critical_due)
    return LaunchDecision{LaunchAction::kHold, HoldReason::kCriticalDue, {}, {}};
  return std::nullopt;
}

void MiriamPolicy::cap_before_due(const LaunchContext& c, LaunchDecision* d) const {
  // A shard issued before a due critical request must end before it: at most
  // as many waves as fit in the time left.
  if (d->action != LaunchAction::kIssueShard || c.critical_in_flight || !options_.drain_ahead ||
      !c.us_until_critical_due || !c.sliced_footprint)
    return;
  const std::optional<double> b = block_us(c);
  if (!b || !(*b > 0)) return;
  const double left = *c.us_until_critical_due - options_.drain_margin_us;
  const std::uint64_t waves = left > 0 ? static_cast<std::uint64_t>(left / *b) : 0;
  const std::uint64_t wave = planner_.free_slots(*c.sliced_footprint, c.normal_running);
  if (waves == 0 || wave == 0) return;  // hold_for_critical already held what cannot fit one wave
  if (d->shard.blocks > waves * wave) {
    d->shard.blocks = waves * wave;
    d->shard.reason = ShardReason::kCriticalDue;
  }
}

bool MiriamPolicy::should_stop_ahead(double block_us, double us_until_due) const {
  return options_.drain_ahead && block_us + options_.drain_margin_us >= us_until_due;
}

std::optional<LaunchDecision> MiriamPolicy::decide_persistent(const LaunchContext& c) const {
  if (!options_.use_persistent || !c.persistent_footprint) return std::nullopt;
  if (!persistent_.prefer_persistent(*c.persistent_footprint, c.persistent_timing, c.sliced_footprint,
                                     c.sliced_timing))
    return std::nullopt;
  if (c.sliced_footprint && c.sliced_timing && !c.sliced_timing->empty()) {
    // Short enough that no critical kernel can wait long behind it: the
    // sliced variant runs it without the persistent loop's overhead.
    const std::uint64_t full = gpu_slots(planner_.gpu(), *c.sliced_footprint);
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
  // Short logical blocks share one claim: C x block time within the claim budget.
  d.persistent.chunk = persistent_.claim_chunk(*c.persistent_footprint, c.persistent_timing, c.blocks_remaining,
                                               d.persistent.physical_blocks, c.observed_block_us);
  // A launch stopped before it starts still runs its static first chunks, a
  // whole wave. With blocks longer than the critical budget that wave is what
  // a critical request waits for (a one-wave launch cannot stop at all: drains
  // of 620-909 µs in a mobilenet_vgg16 trace on an H200, session 5), and a
  // ticket costs nothing beside such a block: claim from the first one.
  const bool long_blocks = c.observed_block_us && *c.observed_block_us > options_.planner.critical_budget_us;
  d.persistent.static_first_chunk = options_.persistent.static_first_chunk && !long_blocks;
  d.action = LaunchAction::kIssuePersistent;
  return d;
}

LaunchDecision MiriamPolicy::decide_sliced(const LaunchContext& c) const {
  LaunchDecision d;
  const bool starving = starved(c);
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
  if (d.shard.blocks == 0 && d.shard.free_slots == 0 && options_.use_shrunk && !c.shrunk.empty() &&
      !c.critical_running.empty()) {
    // No full block fits beside the running critical kernels: maybe a shrunk one does.
    const ShardDecision shrunk =
        planner_.plan_shrunk(c.shrunk, c.blocks_remaining, block_us(c), c.critical_running, c.normal_running);
    if (shrunk.blocks > 0) d.shard = shrunk;
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
