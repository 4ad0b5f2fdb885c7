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
  // Smoothing of the moving average: the newest sample's weight, larger when
  // it is longer than the estimate. The estimate sizes drains (how early to
  // stop normal work before a critical request), so it errs long. Measured
  // why (H200 trace, mobilenet_vgg16, session 7): the tail launches of a
  // VGG-16 layer (116 blocks, one per SM) ran a wave in 347 us against
  // 790-860 us at six blocks per SM, and an even average dipped below the
  // block time a stop then had to wait for.
  static constexpr double kWeightUp = 0.5;
  static constexpr double kWeightDown = 0.1;

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

// A normal launch's block time, learned at two levels: for the launch itself
// (its place in its task's requests: in a DNN the same layer every request)
// and for its shape (kernel, grid, block, shared memory), which answers until
// the launch has a sample of its own. The shape alone mixes layers: VGG-16's
// conv3_1 and conv3_2 share a grid but differ 2x in block time (213 vs 421 µs
// a wave in an H200 trace, session 5), and a stop-ahead sized for the shorter
// one let the longer drain ~400 µs into a critical request.
class LearnedBlockTime {
 public:
  LearnedBlockTime() = default;
  LearnedBlockTime(BlockTimeEstimate* launch, BlockTimeEstimate* shape) : launch_(launch), shape_(shape) {}

  // Whether anything is learned for this launch (normal launches under a planning policy).
  explicit operator bool() const { return launch_ != nullptr; }
  void observe(double duration_us, std::uint64_t logical_blocks, std::uint64_t concurrent_blocks) const;
  std::optional<double> block_us() const;

 private:
  BlockTimeEstimate* launch_ = nullptr;
  BlockTimeEstimate* shape_ = nullptr;
};

}  // namespace miriam
