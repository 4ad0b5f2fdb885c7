// The trace spans of a running coordinator (CoordinatorConfig::tracing).
// Appending never moves the spans already there: a std::vector's doubling
// (at 65536 spans, ~11 MB moved into fresh pages) held the coordinator's lock
// for 4-5 ms, and a critical request that finished then was seen that much
// late (miriam_bench two_normal on an H200). Past `capacity` the oldest spans
// go, so a process that runs for hours with tracing on keeps bounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "miriam/trace.h"

namespace miriam::detail {

class TraceBuffer {
 public:
  explicit TraceBuffer(std::size_t capacity = 0) : capacity_(capacity) {}

  void push(TraceSpan span) {
    if (capacity_ == 0) {
      ++dropped_;
      return;
    }
    if (spans_.size() == capacity_) {
      spans_.pop_front();
      ++dropped_;
    }
    spans_.push_back(std::move(span));
  }
  std::vector<TraceSpan> snapshot() const { return {spans_.begin(), spans_.end()}; }
  void clear() { spans_.clear(); }
  std::size_t size() const { return spans_.size(); }
  // Spans that went (oldest first) or were never kept because of the capacity.
  std::uint64_t dropped() const { return dropped_; }

 private:
  std::size_t capacity_;
  std::deque<TraceSpan> spans_;
  std::uint64_t dropped_ = 0;
};

}  // namespace miriam::detail
