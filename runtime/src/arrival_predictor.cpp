#include "miriam/arrival_predictor.h"

#include <algorithm>
#include <cmath>

namespace miriam {

namespace {
constexpr std::size_t kMinIntervals = 4;  // fewer cannot tell periodic from chance
}

ArrivalPredictor::ArrivalPredictor(std::size_t window, double max_jitter_fraction, double overdue_grace_fraction)
    : window_(std::max(window, kMinIntervals + 1)),
      max_jitter_fraction_(max_jitter_fraction),
      overdue_grace_fraction_(overdue_grace_fraction) {}

void ArrivalPredictor::observe(double release_us) {
  if (!releases_.empty() && release_us < releases_.back()) releases_.clear();  // clock went back: start over
  releases_.push_back(release_us);
  if (releases_.size() > window_) releases_.erase(releases_.begin());
  periodic_ = false;
  if (releases_.size() < kMinIntervals + 1) return;
  std::vector<double> intervals;
  intervals.reserve(releases_.size() - 1);
  for (std::size_t i = 1; i < releases_.size(); ++i) intervals.push_back(releases_[i] - releases_[i - 1]);
  std::vector<double> sorted(intervals);
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  period_ = sorted[sorted.size() / 2];
  jitter_ = 0;
  for (double d : intervals) jitter_ = std::max(jitter_, std::fabs(d - period_));
  periodic_ = period_ > 0 && jitter_ <= max_jitter_fraction_ * period_;
}

std::optional<ArrivalPrediction> ArrivalPredictor::predict(double now_us) const {
  if (!periodic_) return std::nullopt;
  const ArrivalPrediction p{releases_.back() + period_, jitter_};
  if (now_us <= p.at_us + p.jitter_us) return p;
  if (now_us <= p.at_us + p.jitter_us + overdue_grace_fraction_ * period_) return ArrivalPrediction{now_us, 0};
  return std::nullopt;  // long overdue: the task stopped or changed pace
}

}  // namespace miriam
