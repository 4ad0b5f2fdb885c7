// Release schedules: periodic releases are exact, Poisson gaps have the asked mean.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "arrivals.h"

using namespace miriam::bench;

TEST_CASE("periodic releases are exactly k periods after the start") {
  ReleaseSchedule s(ResolvedArrival{ArrivalKind::kPeriodic, 333.3}, 1);
  for (int k = 0; k < 10000; ++k) {
    const std::optional<double> t = s.next_us();
    REQUIRE(t);
    CHECK(*t == static_cast<double>(k) * 333.3);  // no accumulated drift
  }
}

TEST_CASE("poisson gaps have the asked mean and are reproducible from the seed") {
  const double mean_gap = 2500;
  ReleaseSchedule a(ResolvedArrival{ArrivalKind::kPoisson, mean_gap}, 42), b(ResolvedArrival{ArrivalKind::kPoisson, mean_gap}, 42);
  ReleaseSchedule other(ResolvedArrival{ArrivalKind::kPoisson, mean_gap}, 43);
  const int n = 20000;
  double previous = 0, sum_sq = 0;
  bool differs = false;
  CHECK(*a.next_us() == 0);  // the first request goes out at the start
  b.next_us();
  other.next_us();
  for (int k = 1; k <= n; ++k) {
    const double t = *a.next_us();
    CHECK(t == *b.next_us());
    differs |= t != *other.next_us();
    const double gap = t - previous;
    REQUIRE(gap >= 0);
    sum_sq += (gap - mean_gap) * (gap - mean_gap);
    previous = t;
  }
  CHECK(differs);
  CHECK(previous / n == doctest::Approx(mean_gap).epsilon(0.03));
  // Exponential gaps: standard deviation equals the mean.
  CHECK(std::sqrt(sum_sq / n) == doctest::Approx(mean_gap).epsilon(0.05));
}

TEST_CASE("closed loop has no release times") {
  ReleaseSchedule s(ResolvedArrival{}, 1);
  CHECK_FALSE(s.next_us());
}

TEST_CASE("intervals relative to solo latency resolve to microseconds") {
  Arrival periodic;
  periodic.kind = ArrivalKind::kPeriodic;
  periodic.period_x_solo = 3;
  CHECK(resolve(periodic, 1200).interval_us == doctest::Approx(3600));
  periodic.period_x_solo = 0;
  periodic.period_us = 500;
  CHECK(resolve(periodic, 1200).interval_us == doctest::Approx(500));
  Arrival poisson;
  poisson.kind = ArrivalKind::kPoisson;
  poisson.rate_hz = 250;
  CHECK(resolve(poisson, 1200).interval_us == doctest::Approx(4000));
  poisson.rate_hz = 0;
  poisson.mean_gap_x_solo = 2;
  CHECK(resolve(poisson, 1200).interval_us == doctest::Approx(2400));
}
