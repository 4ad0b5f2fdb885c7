// When a periodic critical task's next request will arrive. Robotics and
// driving pipelines release critical work per sensor frame; knowing the next
// release lets the coordinator drain long normal blocks before it comes, so
// the critical request does not wait for them (measurements.md #4: start the
// drain before the critical launch). Poisson or bursty arrivals give no
// prediction, and then nothing is stopped ahead.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace miriam {

struct ArrivalPrediction {
  double at_us = 0;      // expected release of the next request (host clock)
  double jitter_us = 0;  // largest deviation from the period seen recently
};

class ArrivalPredictor {
 public:
  // `window`: releases remembered; periodic when every recent interval is
  // within `max_jitter_fraction` of their median.
  explicit ArrivalPredictor(std::size_t window = 8, double max_jitter_fraction = 0.1);

  void observe(double release_us);

  // The next release, if recent releases were periodic and it is not already
  // overdue at `now_us` (a late or stopped task must not hold normal work).
  std::optional<ArrivalPrediction> predict(double now_us) const;

 private:
  std::size_t window_;
  double max_jitter_fraction_;
  std::vector<double> releases_;  // the last `window_`, oldest first
  // From the releases, recomputed on each observe(): predict() runs in the
  // dispatcher's polling loop.
  bool periodic_ = false;
  double period_ = 0, jitter_ = 0;
};

}  // namespace miriam
