#include "arrivals.h"

namespace miriam::bench {

ResolvedArrival resolve(const Arrival& a, double solo_latency_us) {
  ResolvedArrival r;
  r.kind = a.kind;
  switch (a.kind) {
    case ArrivalKind::kPeriodic:
      r.interval_us = a.period_x_solo > 0 ? a.period_x_solo * solo_latency_us : a.period_us;
      break;
    case ArrivalKind::kPoisson:
      r.interval_us = a.mean_gap_x_solo > 0 ? a.mean_gap_x_solo * solo_latency_us : 1e6 / a.rate_hz;
      break;
    case ArrivalKind::kClosedLoop:
      break;
  }
  return r;
}

ReleaseSchedule::ReleaseSchedule(ResolvedArrival arrival, std::uint64_t seed)
    : arrival_(arrival), rng_(seed), gap_(arrival.interval_us > 0 ? 1.0 / arrival.interval_us : 1.0) {}

std::optional<double> ReleaseSchedule::next_us() {
  switch (arrival_.kind) {
    case ArrivalKind::kPeriodic:
      // Multiplied, not accumulated: release k is exactly k periods after the start.
      return static_cast<double>(index_++) * arrival_.interval_us;
    case ArrivalKind::kPoisson: {
      const double t = poisson_time_us_;
      poisson_time_us_ += gap_(rng_);
      ++index_;
      return t;
    }
    case ArrivalKind::kClosedLoop:
      break;
  }
  return std::nullopt;
}

}  // namespace miriam::bench
