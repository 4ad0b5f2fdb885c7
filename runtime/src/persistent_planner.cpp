#include "miriam/persistent_planner.h"

#include <algorithm>

namespace miriam {

const char* to_string(PersistentReason reason) {
  switch (reason) {
    case PersistentReason::kFullGpu: return "every resident slot";
    case PersistentReason::kIdleSms: return "the SMs critical kernels leave idle";
    case PersistentReason::kNoIdleSm: return "critical kernels cover every SM";
    case PersistentReason::kBetweenCritical: return "critical request between kernels";
  }
  return "unknown";
}

PersistentSizing PersistentPlanner::size(const KernelFootprint& footprint, std::uint64_t blocks_remaining,
                                         bool critical_in_flight, const std::vector<KernelLoad>& critical,
                                         const std::vector<KernelLoad>& normal) const {
  PersistentSizing s;
  const int per_sm = blocks_per_sm(gpu_, footprint);
  if (blocks_remaining == 0 || per_sm <= 0 || gpu_.sm_count <= 0) return s;
  bool critical_running = false;
  for (const KernelLoad& k : critical) critical_running |= k.blocks > 0;

  if (!critical_running) {
    if (critical_in_flight) {
      // Nothing to size against, and the next critical kernel is imminent:
      // a launch now would only be stopped again.
      s.reason = PersistentReason::kBetweenCritical;
      return s;
    }
    // Stoppable at any time, so it may take the whole GPU.
    const std::uint64_t full = static_cast<std::uint64_t>(gpu_.sm_count) * static_cast<std::uint64_t>(per_sm);
    s.physical_blocks = std::min(blocks_remaining, full);
    s.sms = static_cast<int>(std::min<std::uint64_t>(s.physical_blocks, static_cast<std::uint64_t>(gpu_.sm_count)));
    s.reason = PersistentReason::kFullGpu;
    return s;
  }

  std::vector<KernelLoad> running(critical);
  running.insert(running.end(), normal.begin(), normal.end());
  const int idle_sms = gpu_.sm_count - occupancy_of(gpu_, running.data(), running.size()).busy_sms;
  const int beside = std::min(per_sm, config_.blocks_per_sm_beside_critical);
  if (idle_sms <= 0 || beside <= 0) {
    s.reason = PersistentReason::kNoIdleSm;
    return s;
  }
  s.physical_blocks =
      std::min(blocks_remaining, static_cast<std::uint64_t>(idle_sms) * static_cast<std::uint64_t>(beside));
  s.sms = static_cast<int>((s.physical_blocks + beside - 1) / beside);
  s.reason = PersistentReason::kIdleSms;
  return s;
}

void PersistentPlanner::choose_preemptions(const std::optional<KernelLoad>& arriving,
                                           const std::vector<KernelLoad>& critical_running,
                                           const std::vector<PersistentRun>& runs,
                                           std::vector<std::size_t>* stop) const {
  int critical_sms = gpu_.sm_count;  // unknown arrival: it may need every SM
  if (arriving) {
    critical_sms = occupancy_of(gpu_, critical_running.data(), critical_running.size()).busy_sms +
                   occupancy_of(gpu_, &*arriving, 1).busy_sms;
    critical_sms = std::min(critical_sms, gpu_.sm_count);
  }
  int persistent_sms = 0;
  for (const PersistentRun& r : runs)
    if (!r.stop_requested) persistent_sms += r.sms;
  const std::size_t first = stop->size();
  while (critical_sms + persistent_sms > gpu_.sm_count) {
    // The largest run still going frees the most SMs.
    std::size_t best = runs.size();
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (runs[i].stop_requested || std::find(stop->begin() + first, stop->end(), i) != stop->end()) continue;
      if (best == runs.size() || runs[i].physical_blocks > runs[best].physical_blocks) best = i;
    }
    if (best == runs.size()) break;
    stop->push_back(best);
    persistent_sms -= runs[best].sms;
  }
}

bool PersistentPlanner::should_regrow(const PersistentRun& run, bool critical_in_flight) const {
  return !critical_in_flight && !run.stop_requested && run.beside_critical && run.sms < gpu_.sm_count;
}

bool PersistentPlanner::prefer_persistent(const KernelFootprint& persistent, const ShardTiming* persistent_timing,
                                          const std::optional<KernelFootprint>& sliced,
                                          const ShardTiming* sliced_timing) const {
  const int per_sm = blocks_per_sm(gpu_, persistent);
  if (per_sm <= 0) return false;
  if (!sliced) return true;  // the only elastic variant
  // More registers or shared memory in the persistent loop can cost occupancy.
  if (per_sm < blocks_per_sm(gpu_, *sliced)) return false;
  if (persistent_timing && !persistent_timing->empty() && sliced_timing && !sliced_timing->empty()) {
    // Compare whole-GPU throughput: µs per logical block at the largest measured shard of each.
    const std::uint64_t n = std::min(persistent_timing->points().back().shard_blocks,
                                     sliced_timing->points().back().shard_blocks);
    return persistent_timing->us_per_block(n) <= sliced_timing->us_per_block(n) * (1.0 + config_.max_overhead);
  }
  return true;  // no profile: preemptible is the safe choice for the critical task
}

unsigned PersistentPlanner::claim_chunk(const KernelFootprint& footprint, const ShardTiming* timing,
                                        std::uint64_t blocks_remaining, std::uint64_t physical_blocks,
                                        std::optional<double> observed_block_us) const {
  const bool have_profile = timing && !timing->empty();
  if (!(config_.claim_budget_us > 0) || (!observed_block_us && !have_profile) || blocks_remaining == 0 ||
      physical_blocks == 0)
    return 1;
  const std::uint64_t full_slots = std::max<std::uint64_t>(1, gpu_slots(gpu_, footprint));
  // What one logical block holds its slot for.
  const double block_us = observed_block_us ? *observed_block_us : timing->wave_us(full_slots);
  return budget_claim_chunk(blocks_remaining, physical_blocks, config_.claim_budget_us, block_us);
}

}  // namespace miriam
