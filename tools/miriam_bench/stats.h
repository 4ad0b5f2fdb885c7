// Latency percentiles and ratios, as the benchmark reports them.
#pragma once

#include <cstddef>
#include <vector>

namespace miriam::bench {

// Nearest-rank percentile: the smallest sample with at least q of all samples
// at or below it (q in [0, 1]); 0 for no samples.
double percentile(std::vector<double> samples, double q);

struct LatencySummary {
  std::size_t count = 0;
  double p50 = 0, p99 = 0, max = 0, mean = 0;
};

LatencySummary summarize(const std::vector<double>& samples);

// a / b, or NaN when b is not positive (no reference to compare with).
double ratio(double a, double b);

// Mean of the finite values; NaN when there are none.
double mean_of_finite(const std::vector<double>& values);

}  // namespace miriam::bench
