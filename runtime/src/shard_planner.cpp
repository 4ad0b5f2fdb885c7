#include "miriam/shard_planner.h"

#include <algorithm>

namespace miriam {

const char* to_string(ShardReason reason) {
  switch (reason) {
    case ShardReason::kWholeRemaining: return "whole remaining grid";
    case ShardReason::kIdleBudget: return "cut to the idle budget";
    case ShardReason::kFreeSlots: return "cut to the free slots";
    case ShardReason::kOverBudget: return "one wave exceeds the budget";
    case ShardReason::kNoRoom: return "no room";
    case ShardReason::kStarvationBound: return "held too long: one block per SM";
    case ShardReason::kCriticalDue: return "cut to end before a periodic critical request";
    case ShardReason::kShrunkRoom: return "shrunk blocks in the room beside the critical kernels";
  }
  return "unknown";
}

std::uint64_t ShardPlanner::free_slots(const KernelFootprint& kernel, const std::vector<KernelLoad>& running) const {
  const SmOccupancy occ = occupancy_of(gpu_, running.data(), running.size());
  const std::uint64_t idle_sms = static_cast<std::uint64_t>(gpu_.sm_count - occ.busy_sms);
  std::uint64_t slots = idle_sms * static_cast<std::uint64_t>(blocks_per_sm(gpu_, kernel));
  if (config_.share_critical_sms && occ.busy_sms > 0) {
    SmResources left = sm_capacity(gpu_);
    left.threads -= occ.per_busy_sm.threads;
    left.registers -= occ.per_busy_sm.registers;
    left.shared_bytes = left.shared_bytes > occ.per_busy_sm.shared_bytes ? left.shared_bytes - occ.per_busy_sm.shared_bytes : 0;
    left.blocks -= occ.per_busy_sm.blocks;
    const int per_sm = std::min(blocks_fitting(gpu_, kernel, left), blocks_per_sm(gpu_, kernel));
    slots += static_cast<std::uint64_t>(occ.busy_sms) * static_cast<std::uint64_t>(std::max(per_sm, 0));
  }
  return slots;
}

ShardDecision ShardPlanner::plan_idle(const ShardRequest& request, std::uint64_t full_slots) const {
  ShardDecision d;
  d.free_slots = full_slots;
  d.blocks = request.blocks_remaining;
  d.reason = ShardReason::kWholeRemaining;
  const bool have_timing = request.timing && !request.timing->empty();
  if (config_.idle_budget_us) {
    if (!have_timing) {
      // No profile: one full wave is the conservative unit.
      if (d.blocks > full_slots) d.blocks = full_slots, d.reason = ShardReason::kIdleBudget;
    } else {
      // Largest shard whose expected duration fits the idle budget (durations grow with size).
      std::uint64_t lo = 1, hi = request.blocks_remaining;
      if (request.timing->expected_us(hi, full_slots, full_slots) > *config_.idle_budget_us) {
        while (lo < hi) {
          const std::uint64_t mid = lo + (hi - lo + 1) / 2;
          if (request.timing->expected_us(mid, full_slots, full_slots) <= *config_.idle_budget_us) lo = mid;
          else hi = mid - 1;
        }
        // Never below one wave: a smaller shard would not end sooner.
        d.blocks = std::max(lo, std::min(full_slots, request.blocks_remaining));
        d.reason = ShardReason::kIdleBudget;
      }
    }
  }
  if (have_timing) d.expected_us = request.timing->expected_us(d.blocks, full_slots, full_slots);
  return d;
}

ShardDecision ShardPlanner::plan(const ShardRequest& request, const std::vector<KernelLoad>& critical,
                                 const std::vector<KernelLoad>& normal) const {
  const std::uint64_t full_slots = gpu_slots(gpu_, request.footprint);
  if (request.blocks_remaining == 0 || full_slots == 0) return ShardDecision{};
  bool critical_running = false;
  for (const KernelLoad& k : critical) critical_running |= k.blocks > 0;
  if (!critical_running) return plan_idle(request, full_slots);

  std::vector<KernelLoad> running(critical);
  running.insert(running.end(), normal.begin(), normal.end());
  ShardDecision d;
  d.free_slots = free_slots(request.footprint, running);
  if (d.free_slots == 0) return d;  // hold until a critical kernel ends

  // (a) one wave in the free slots: more would queue and take slots that
  // critical blocks free, which is what delays them.
  d.blocks = std::min(request.blocks_remaining, d.free_slots);
  d.reason = ShardReason::kFreeSlots;
  // (b) a wave must end within the critical budget.
  if (request.timing && !request.timing->empty()) {
    d.expected_us = request.timing->expected_us(d.blocks, d.free_slots, full_slots);
    if (*d.expected_us > config_.critical_budget_us) {
      d.reason = ShardReason::kOverBudget;
      if (config_.hold_if_over_budget) d.blocks = 0, d.reason = ShardReason::kNoRoom;
    }
  }
  return d;
}

ShardDecision ShardPlanner::plan_shrunk(const ShrunkOptions& shrunk, std::uint64_t blocks_remaining,
                                        std::optional<double> full_block_us, const std::vector<KernelLoad>& critical,
                                        const std::vector<KernelLoad>& normal) const {
  ShardDecision d;
  if (blocks_remaining == 0) return d;
  std::vector<KernelLoad> running(critical);
  running.insert(running.end(), normal.begin(), normal.end());
  for (std::size_t i = 0; i < shrunk.count; ++i) {
    const ShrunkOption& option = shrunk.options[i];
    const std::uint64_t slots = free_slots(option.footprint, running);
    if (slots == 0) continue;  // a larger factor may fit
    if (full_block_us) {
      const double block_us = *full_block_us * option.factor;
      if (block_us > config_.critical_budget_us) return d;  // larger factors run longer still
      d.expected_us = block_us;
    }
    d.free_slots = slots;
    d.blocks = std::min(blocks_remaining, slots);
    d.shrink_factor = option.factor;
    d.reason = ShardReason::kShrunkRoom;
    return d;
  }
  return d;
}

}  // namespace miriam
