#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "stats.h"

using namespace miriam::bench;

TEST_CASE("nearest-rank percentiles") {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);  // unsorted on purpose
  CHECK(percentile(v, 0.50) == 50);
  CHECK(percentile(v, 0.99) == 99);
  CHECK(percentile(v, 1.0) == 100);
  CHECK(percentile(v, 0.0) == 1);
  CHECK(percentile({7}, 0.99) == 7);
  CHECK(percentile({}, 0.5) == 0);
  // 300 samples: p99 is the 297th smallest, so the 3 largest are above it.
  std::vector<double> w(300);
  for (int i = 0; i < 300; ++i) w[i] = i;
  CHECK(percentile(w, 0.99) == 296);
}

TEST_CASE("summaries and ratios") {
  const LatencySummary s = summarize({4, 1, 3, 2});
  CHECK(s.count == 4);
  CHECK(s.p50 == 2);
  CHECK(s.p99 == 4);
  CHECK(s.max == 4);
  CHECK(s.mean == doctest::Approx(2.5));
  CHECK(ratio(3, 2) == doctest::Approx(1.5));
  CHECK(std::isnan(ratio(1, 0)));
  CHECK(mean_of_finite({1, std::nan(""), 3}) == doctest::Approx(2));
  CHECK(std::isnan(mean_of_finite({std::nan("")})));
}
