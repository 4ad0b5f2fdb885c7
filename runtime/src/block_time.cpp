#include "miriam/block_time.h"

#include <algorithm>

namespace miriam {

void BlockTimeEstimate::observe(double duration_us, std::uint64_t logical_blocks, std::uint64_t concurrent_blocks) {
  if (logical_blocks == 0 || concurrent_blocks == 0 || !(duration_us > 0)) return;
  const std::uint64_t waves = (logical_blocks + concurrent_blocks - 1) / concurrent_blocks;
  const double sample = duration_us / static_cast<double>(waves);
  block_us_ = samples_ == 0 ? sample : (1 - kWeight) * block_us_ + kWeight * sample;
  ++samples_;
}

std::optional<double> BlockTimeEstimate::block_us() const {
  if (samples_ == 0) return std::nullopt;
  return block_us_;
}

}  // namespace miriam
