// Persistent normal kernels: how many physical blocks (P) a launch gets, and
// which running launches must stop when a critical kernel arrives. Plain C++
// against the GpuModel, so every decision is unit-tested on the CPU.
//
// The model of placement is occupancy_of()'s: the block scheduler spreads a
// launch breadth-first, so P blocks cover min(P, #SMs) SMs. Persistent normal
// blocks left resident on the SMs a critical kernel uses starve it
// (measurements.md #3), so a persistent launch is "in the way" when the SMs it
// covers and the SMs the critical kernels need add up to more than the GPU.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "miriam/gpu_model.h"
#include "miriam/shard_timing.h"

namespace miriam {

struct PersistentPlannerConfig {
  // Physical blocks per SM beside critical work: on SMs the critical kernels
  // leave idle, at most this many blocks each, so the launch covers no more
  // SMs than are idle (measurements.md: relaunched with 1 block per SM during
  // critical work, 1.37x critical vs 1.23x stopped).
  int blocks_per_sm_beside_critical = 1;
  // Prefer the sliced variant when, by the profile, the persistent one runs a
  // logical block more than this fraction slower.
  double max_overhead = 0.10;
  // Logical blocks per claim (PersistentLaunch::chunk) are chosen so that C x
  // one logical block's time on its slot (the profile's wave time) stays
  // within this budget: a stop waits for at most C logical blocks per
  // physical block. 0 (or no profile): C = 1, one atomic per logical block.
  // Kernels with the chunk loop (manifest "loop": "chunks") pay for the loop
  // per chunk, so a budget (20 us) takes their short blocks to the
  // original's speed (results/2026-11-28-h200-session8). It stays off: in a
  // same-call A/B it raised normal throughput 2-6% on resnet18+resnet50 and
  // two_normal, but two_normal's critical p99 rose to 9.4-10.2 ms in 3 of 6
  // runs with it, against 7.1-7.4 ms in all 4 without.
  double claim_budget_us = 0;
  // Each physical block's first chunk is static (no stop check, no atomic):
  // a launch stopped before it starts still runs those P x C blocks, within
  // the same claim budget (elastic.cuh); with C = 1 that is the one logical
  // block a running launch finishes anyway. Measured on H200 (DNN layer
  // median, C = 1): +26.1% without it, +13.8% with it, a one-wave launch then
  // taking no atomic at all (results/2026-11-28-h200-session4/validate-c3e87d8/).
  bool static_first_chunk = true;
};

enum class PersistentReason {
  kFullGpu,       // nothing critical in flight: every resident slot
  kIdleSms,       // critical kernels running: the SMs they leave idle
  kNoIdleSm,      // critical kernels cover every SM: none (P = 0)
  kBetweenCritical,  // critical request in flight with no kernel on the GPU: none (P = 0)
};

const char* to_string(PersistentReason reason);

struct PersistentSizing {
  std::uint64_t physical_blocks = 0;  // P; 0: no persistent launch now
  int sms = 0;                        // SMs the launch is meant to cover
  PersistentReason reason = PersistentReason::kNoIdleSm;
  unsigned chunk = 1;                 // C: logical blocks per claim (claim_chunk)
  bool static_first_chunk = false;    // PersistentLaunch::static_first_chunk
};

// A persistent normal launch on the GPU.
struct PersistentRun {
  std::uint64_t physical_blocks = 0;  // P
  int sms = 0;                        // SMs it covers (PersistentSizing::sms)
  bool stop_requested = false;        // already draining
  bool beside_critical = false;       // sized to the SMs critical kernels left (kIdleSms)
};

// The C in [1, max_chunk] that leaves the fewest logical blocks on the
// busiest of `physical_blocks` blocks when `blocks` are dealt in chunks of C,
// the largest such C (fewest claims): for 6272 blocks on 1056, C = 6 (one
// chunk each), where 4 or 5 would leave 8 or 10 on some blocks.
inline unsigned even_claim_chunk(std::uint64_t blocks, std::uint64_t physical_blocks, std::uint64_t max_chunk) {
  if (blocks == 0 || physical_blocks == 0) return 1;
  // More than a physical block's even share only idles the others.
  const std::uint64_t share = (blocks + physical_blocks - 1) / physical_blocks;
  const std::uint64_t limit = std::min<std::uint64_t>({max_chunk, share, 65535});
  std::uint64_t best = 1, best_span = ~0ull;
  for (std::uint64_t c = 1; c <= limit; ++c) {
    const std::uint64_t chunks = (blocks + c - 1) / c;
    const std::uint64_t span = (chunks + physical_blocks - 1) / physical_blocks * c;
    if (span <= best_span) {
      best = c;
      best_span = span;
    }
  }
  return static_cast<unsigned>(best);
}

// C for `blocks` logical blocks on `physical_blocks` when a stop may wait for
// at most `budget_us` of claimed work per physical block and one logical block
// holds its slot for `block_us`: even_claim_chunk within the budget (at least 1).
inline unsigned budget_claim_chunk(std::uint64_t blocks, std::uint64_t physical_blocks, double budget_us,
                                   double block_us) {
  if (!(budget_us > 0) || !(block_us > 0)) return 1;
  constexpr double kMaxChunk = 4096;  // beyond this the search is not worth it
  return even_claim_chunk(blocks, physical_blocks,
                          static_cast<std::uint64_t>(std::min(budget_us / block_us, kMaxChunk)));
}

class PersistentPlanner {
 public:
  PersistentPlanner(GpuModel gpu, PersistentPlannerConfig config) : gpu_(gpu), config_(config) {}

  // P for a persistent launch of `footprint` with `blocks_remaining` logical
  // blocks. `critical`: critical kernels on the GPU; `normal`: other normal
  // work issued and not finished.
  PersistentSizing size(const KernelFootprint& footprint, std::uint64_t blocks_remaining, bool critical_in_flight,
                        const std::vector<KernelLoad>& critical, const std::vector<KernelLoad>& normal) const;

  // Which runs to stop (indices into `runs`, appended to `stop`) so that the
  // critical kernels running and `arriving` (nullopt: unknown, assume the
  // whole GPU) get their SMs. Runs already stopping count as gone; the
  // largest runs stop first, and only as many as needed.
  void choose_preemptions(const std::optional<KernelLoad>& arriving, const std::vector<KernelLoad>& critical_running,
                          const std::vector<PersistentRun>& runs, std::vector<std::size_t>* stop) const;

  // Whether a run sized beside critical work should stop and resume on the
  // whole GPU now that no critical request is in flight: otherwise it would
  // finish its kernel on a fraction of the SMs.
  bool should_regrow(const PersistentRun& run, bool critical_in_flight) const;

  // Whether the persistent variant should run this launch rather than the
  // sliced one: the footprint must allow as many resident blocks per SM as
  // the sliced variant's, and the profile (when both timings are known) must
  // not show it slower than max_overhead.
  bool prefer_persistent(const KernelFootprint& persistent, const ShardTiming* persistent_timing,
                         const std::optional<KernelFootprint>& sliced, const ShardTiming* sliced_timing) const;

  // C for a persistent launch of `physical_blocks` over `blocks_remaining`:
  // within config().claim_budget_us of the profile's time per logical block,
  // the C that leaves the fewest logical blocks on the busiest physical block
  // (chunks spread unevenly cost more than claims), the largest such C.
  // 1 without a budget or a block time. `observed_block_us` (measured on the
  // launch's own earlier shards) is used before the profile.
  unsigned claim_chunk(const KernelFootprint& footprint, const ShardTiming* timing, std::uint64_t blocks_remaining,
                       std::uint64_t physical_blocks, std::optional<double> observed_block_us = std::nullopt) const;

  const GpuModel& gpu() const { return gpu_; }
  const PersistentPlannerConfig& config() const { return config_; }

 private:
  GpuModel gpu_;
  PersistentPlannerConfig config_;
};

}  // namespace miriam
