// Release times of a task's requests, as offsets from the start of a run.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

#include "workload.h"

namespace miriam::bench {

// An arrival pattern with its interval resolved to microseconds.
struct ResolvedArrival {
  ArrivalKind kind = ArrivalKind::kClosedLoop;
  double interval_us = 0;  // periodic: the period; poisson: the mean gap
};

// Resolves a pattern given relative to the solo latency (period_x_solo, ...)
// with the measured `solo_latency_us`.
ResolvedArrival resolve(const Arrival& arrival, double solo_latency_us);

// Yields release offsets one by one: periodic k * period (exact, no drift),
// poisson with exponential gaps from a seeded generator, closed loop none
// (the next request goes out when the previous one completes).
class ReleaseSchedule {
 public:
  ReleaseSchedule(ResolvedArrival arrival, std::uint64_t seed);
  // The offset (µs from the run's start) of the next request; nullopt for closed loop.
  std::optional<double> next_us();
  const ResolvedArrival& arrival() const { return arrival_; }

 private:
  ResolvedArrival arrival_;
  std::uint64_t index_ = 0;
  double poisson_time_us_ = 0;
  std::mt19937_64 rng_;
  std::exponential_distribution<double> gap_;
};

}  // namespace miriam::bench
