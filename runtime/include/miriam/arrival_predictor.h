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
  // within `max_jitter_fraction` of their median. A release later than its
  // jitter allows is still expected at once for `overdue_grace_fraction` of
  // a period (a late release: a host timer woke late), then no longer (a
  // stopped task must not hold normal work).
  explicit ArrivalPredictor(std::size_t window = 8, double max_jitter_fraction = 0.1,
                            double overdue_grace_fraction = 0.1);

  void observe(double release_us);

  // The next release, if recent releases were periodic: at `now_us` itself
  // while it is overdue within the grace (due now), none after that.
  // Measured why (H200 trace, mobilenet_vgg16, session 7): a release came
  // 58 us late, 1.7% of its period, beyond the jitter seen; a prediction
  // that vanished at once let a VGG-16 conv launch go out 47 us before the
  // request, which then waited 919 us for its blocks.
  std::optional<ArrivalPrediction> predict(double now_us) const;

 private:
  std::size_t window_;
  double max_jitter_fraction_;
  double overdue_grace_fraction_;
  std::vector<double> releases_;  // the last `window_`, oldest first
  // From the releases, recomputed on each observe(): predict() runs in the
  // dispatcher's polling loop.
  bool periodic_ = false;
  double period_ = 0, jitter_ = 0;
};

}  // namespace miriam
