#include "miriam/shard_timing.h"

#include <algorithm>
#include <cmath>

namespace miriam {

ShardTiming::ShardTiming(std::vector<ShardTimingPoint> points) : points_(std::move(points)) {
  points_.erase(std::remove_if(points_.begin(), points_.end(),
                               [](const ShardTimingPoint& p) { return p.shard_blocks == 0 || !(p.us_per_block > 0); }),
                points_.end());
  std::sort(points_.begin(), points_.end(),
            [](const ShardTimingPoint& a, const ShardTimingPoint& b) { return a.shard_blocks < b.shard_blocks; });
}

double ShardTiming::us_per_block(std::uint64_t blocks) const {
  if (points_.empty()) return 0;
  if (blocks <= points_.front().shard_blocks) return points_.front().us_per_block;
  if (blocks >= points_.back().shard_blocks) return points_.back().us_per_block;
  auto hi = std::lower_bound(points_.begin(), points_.end(), blocks,
                             [](const ShardTimingPoint& p, std::uint64_t n) { return p.shard_blocks < n; });
  auto lo = hi - 1;
  // Log-log: within a wave µs per block falls as 1/blocks, a power law.
  const double t = (std::log(double(blocks)) - std::log(double(lo->shard_blocks))) /
                   (std::log(double(hi->shard_blocks)) - std::log(double(lo->shard_blocks)));
  return std::exp(std::log(lo->us_per_block) + t * (std::log(hi->us_per_block) - std::log(lo->us_per_block)));
}

double ShardTiming::wave_us(std::uint64_t full_slots) const {
  if (points_.empty()) return 0;
  // A shard of at most one wave takes about one block's latency; take the
  // longest measured such shard. Without one, divide the smallest by its waves.
  double wave = 0;
  for (const ShardTimingPoint& p : points_)
    if (p.shard_blocks <= full_slots) wave = std::max(wave, p.shard_blocks * p.us_per_block);
  if (wave > 0) return wave;
  const ShardTimingPoint& p = points_.front();
  const double waves = std::ceil(double(p.shard_blocks) / double(std::max<std::uint64_t>(full_slots, 1)));
  return p.shard_blocks * p.us_per_block / waves;
}

double ShardTiming::expected_us(std::uint64_t blocks, std::uint64_t slots, std::uint64_t full_slots) const {
  if (points_.empty() || blocks == 0) return 0;
  slots = std::max<std::uint64_t>(slots, 1);
  full_slots = std::max(full_slots, slots);
  // What fits the slots runs as one wave; beyond that throughput scales with
  // the slots available. Never below one wave.
  const double whole_gpu = blocks * us_per_block(blocks);
  const double scaled = blocks <= slots ? whole_gpu : whole_gpu * double(full_slots) / double(slots);
  return std::max(wave_us(full_slots), scaled);
}

}  // namespace miriam
