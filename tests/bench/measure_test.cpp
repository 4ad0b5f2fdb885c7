// Warm-up, deadlines and the throughput window.
#include <doctest/doctest.h>

#include "measure.h"

using namespace miriam::bench;

namespace {

TaskRequests requests_done_at(std::vector<double> done_s, double latency_ms = 1) {
  TaskRequests t;
  for (double d : done_s) t.requests.push_back(RequestTiming{d, latency_ms, latency_ms, latency_ms});
  return t;
}

}  // namespace

TEST_CASE("the window starts when every task has completed a request and ends at the stop") {
  const Window w = throughput_window({requests_done_at({0.1, 0.2}), requests_done_at({0.5, 1.0})}, 2.0);
  CHECK(w.begin_s == doctest::Approx(0.5));
  CHECK(w.end_s == doctest::Approx(2.0));
  // A task that completed nothing does not hold the window back.
  CHECK(throughput_window({requests_done_at({0.3}), TaskRequests{}}, 1.0).begin_s == doctest::Approx(0.3));
  // Nothing completed before the stop: the whole run.
  CHECK(throughput_window({requests_done_at({3.0})}, 2.0).begin_s == 0);
}

TEST_CASE("throughput counts requests completed inside the window, times the batch") {
  TaskResult t;
  // Completed at 0.5 (the window's start: excluded), 1.0, 1.5, 2.0 (the stop: included), 2.5 (after).
  summarize_requests(requests_done_at({0.5, 1.0, 1.5, 2.0, 2.5}), 8, 0, std::nullopt, Window{0.5, 2.0}, &t);
  CHECK(t.completed == 5);
  CHECK(t.in_window == 3);
  CHECK(t.throughput == doctest::Approx(3 * 8 / 1.5));
  summarize_requests(requests_done_at({0.5}), 1, 0, std::nullopt, Window{1.0, 1.0}, &t);
  CHECK(t.throughput == 0);
}

TEST_CASE("warm-up requests are left out of latencies and deadline misses") {
  TaskRequests log;
  const double latencies[] = {50, 40, 1, 2, 3, 9};  // two slow warm-up requests first
  for (int i = 0; i < 6; ++i) log.requests.push_back(RequestTiming{0.1 * (i + 1), latencies[i], 1, 0.5});
  log.failures = 2;
  log.mismatches = 1;
  TaskResult t;
  summarize_requests(log, 1, 2, 2500.0, Window{0, 1}, &t);
  CHECK(t.latencies_ms == std::vector<double>{1, 2, 3, 9});
  CHECK(t.latency_ms.max == 9);
  CHECK(t.latency_ms.p50 == 2);
  CHECK(t.deadline_misses == 2);  // 3 ms and 9 ms exceed 2.5 ms; warm-up's 50 and 40 do not count
  CHECK(t.gpu_span_p50_ms == doctest::Approx(0.5));
  CHECK(t.failures == 2);
  CHECK(t.mismatches == 1);
  summarize_requests(log, 1, 2, std::nullopt, Window{0, 1}, &t);
  CHECK(t.deadline_misses == 0);
}

TEST_CASE("the host's lags around a request's GPU span are summarized after warm-up") {
  TaskRequests log;
  // begin_request -> first kernel start, and last kernel end -> completion observed, in ms.
  const double start_lags[] = {9, 0.04, 0.05, 0.06};
  const double end_lags[] = {9, 0.01, 4.2, 0.02};  // one completion seen 4.2 ms late
  for (int i = 0; i < 4; ++i) {
    RequestTiming r{0.1 * (i + 1), 3, 3, 2.6};
    r.start_lag_ms = start_lags[i];
    r.end_lag_ms = end_lags[i];
    log.requests.push_back(r);
  }
  TaskResult t;
  summarize_requests(log, 1, 1, std::nullopt, Window{0, 1}, &t);
  CHECK(t.start_lag_ms.count == 3);
  CHECK(t.start_lag_ms.max == doctest::Approx(0.06));
  CHECK(t.end_lag_ms.max == doctest::Approx(4.2));
  CHECK(t.end_lag_ms.p50 == doctest::Approx(0.02));
}
