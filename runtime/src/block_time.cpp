#include "miriam/block_time.h"

#include <algorithm>

namespace miriam {

void BlockTimeEstimate::observe(double duration_us, std::uint64_t logical_blocks, std::uint64_t concurrent_blocks) {
  if (logical_blocks == 0 || concurrent_blocks == 0 || !(duration_us > 0)) return;
  const std::uint64_t waves = (logical_blocks + concurrent_blocks - 1) / concurrent_blocks;
  const double sample = duration_us / static_cast<double>(waves);
  const double weight = sample > block_us_ ? kWeightUp : kWeightDown;
  block_us_ = samples_ == 0 ? sample : (1 - weight) * block_us_ + weight * sample;
  ++samples_;
}

std::optional<double> BlockTimeEstimate::block_us() const {
  if (samples_ == 0) return std::nullopt;
  return block_us_;
}

void LearnedBlockTime::observe(double duration_us, std::uint64_t logical_blocks,
                               std::uint64_t concurrent_blocks) const {
  if (launch_) launch_->observe(duration_us, logical_blocks, concurrent_blocks);
  if (shape_) shape_->observe(duration_us, logical_blocks, concurrent_blocks);
}

std::optional<double> LearnedBlockTime::block_us() const {
  if (launch_ && launch_->samples() > 0) return launch_->block_us();
  return shape_ ? shape_->block_us() : std::nullopt;
}

}  // namespace miriam
