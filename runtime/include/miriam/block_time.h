// How long one logical block of a normal kernel holds its slot, learned from
// the GPU times of its own earlier shards and persistent launches. The
// planner needs it to keep long blocks out of a critical request's way; a
// profile gives it offline, this gives it without one (and keeps it current
// when co-location slows blocks down).
#pragma once

#include <cstdint>
#include <optional>

namespace miriam {

class BlockTimeEstimate {
 public:
  // Smoothing of the moving average: the newest sample's weight.
  static constexpr double kWeight = 0.3;

  // A launch of `logical_blocks` blocks ran `duration_us` on the GPU with at
  // most `concurrent_blocks` of them resident at once (the slots it had, or
  // P for a persistent launch). Ignored when nothing ran.
  void observe(double duration_us, std::uint64_t logical_blocks, std::uint64_t concurrent_blocks);

  // µs one resident block runs (one wave); nullopt before the first sample.
  std::optional<double> block_us() const;
  int samples() const { return samples_; }

 private:
  double block_us_ = 0;
  int samples_ = 0;
};

}  // namespace miriam
