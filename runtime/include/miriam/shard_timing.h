// Measured durations of one kernel variant's shards, as the profile file
// gives them: µs per logical block at each measured shard size (the whole
// GPU available). The planner asks it how long a shard would run.
#pragma once

#include <cstdint>
#include <vector>

namespace miriam {

struct ShardTimingPoint {
  std::uint64_t shard_blocks = 0;
  double us_per_block = 0;
};

class ShardTiming {
 public:
  ShardTiming() = default;
  explicit ShardTiming(std::vector<ShardTimingPoint> points);  // any order; sorted here

  bool empty() const { return points_.empty(); }
  const std::vector<ShardTimingPoint>& points() const { return points_; }

  // µs per block for a shard of `blocks`, interpolated log-log, clamped at the ends.
  double us_per_block(std::uint64_t blocks) const;

  // How long a shard of `blocks` runs when `slots` of the GPU's `full_slots`
  // resident-block slots are available to it. Never less than one wave.
  double expected_us(std::uint64_t blocks, std::uint64_t slots, std::uint64_t full_slots) const;

  // The time of one wave: what a single resident block holds its slot for.
  double wave_us(std::uint64_t full_slots) const;

 private:
  std::vector<ShardTimingPoint> points_;
};

}  // namespace miriam
