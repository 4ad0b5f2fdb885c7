#include "measure.h"

#include <algorithm>

namespace miriam::bench {

Window throughput_window(const std::vector<TaskRequests>& tasks, double stop_s) {
  Window w{0, stop_s};
  for (const TaskRequests& t : tasks)
    if (!t.requests.empty()) w.begin_s = std::max(w.begin_s, t.requests.front().done_s);
  if (w.end_s <= w.begin_s) w.begin_s = 0;
  return w;
}

void summarize_requests(const TaskRequests& log, int batch, int warmup, std::optional<double> deadline_us,
                        const Window& window, TaskResult* out) {
  TaskResult& t = *out;
  t.completed = log.requests.size();
  t.failures = log.failures;
  t.mismatches = log.mismatches;
  t.in_window = 0;
  t.deadline_misses = 0;
  t.latencies_ms.clear();
  std::vector<double> spans, issued, start_lags, end_lags;
  for (std::size_t i = 0; i < log.requests.size(); ++i) {
    const RequestTiming& r = log.requests[i];
    if (r.done_s > window.begin_s && r.done_s <= window.end_s) ++t.in_window;
    if (i < static_cast<std::size_t>(std::max(warmup, 0))) continue;
    t.latencies_ms.push_back(r.latency_ms);
    spans.push_back(r.gpu_span_ms);
    start_lags.push_back(r.start_lag_ms);
    end_lags.push_back(r.end_lag_ms);
    issued.push_back(r.issue_latency_ms);
    if (deadline_us && r.latency_ms * 1000.0 > *deadline_us) ++t.deadline_misses;
  }
  t.latency_ms = summarize(t.latencies_ms);
  t.issue_latency_ms = summarize(issued);
  t.gpu_span_p50_ms = percentile(spans, 0.5);
  t.start_lag_ms = summarize(start_lags);
  t.end_lag_ms = summarize(end_lags);
  const double length = window.length_s();
  t.throughput = length > 0 ? static_cast<double>(t.in_window) * batch / length : 0;
}

}  // namespace miriam::bench
