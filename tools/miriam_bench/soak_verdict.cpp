#include "soak_verdict.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace miriam::bench {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::vector<const SoakWindow*> measured(const std::vector<SoakWindow>& windows, int warmup) {
  std::vector<const SoakWindow*> out;
  for (std::size_t i = static_cast<std::size_t>(std::max(warmup, 0)); i < windows.size(); ++i)
    out.push_back(&windows[i]);
  return out;
}

CriterionResult outputs_equal(const std::vector<SoakWindow>& windows) {
  std::uint64_t verified = 0, mismatches = 0;
  for (const SoakWindow& w : windows)
    for (const SoakTaskWindow& t : w.tasks) verified += t.finished, mismatches += t.mismatches;
  return {"outputs bitwise equal to solo", mismatches == 0 && verified > 0,
          fmt::format("{} mismatch(es) over {} verified request(s)", mismatches, verified)};
}

CriterionResult no_failures(const std::vector<SoakWindow>& windows) {
  std::uint64_t failures = 0, coordinator_failed = 0, launch_errors = 0;
  for (const SoakWindow& w : windows) {
    for (const SoakTaskWindow& t : w.tasks) failures += t.failures;
    coordinator_failed += w.counters.requests_failed;
    launch_errors += w.counters.launch_errors;
  }
  return {"no failed request", failures == 0 && coordinator_failed == 0 && launch_errors == 0,
          fmt::format("{} failed request(s) seen by the tasks, {} by the coordinator, {} launch error(s)", failures,
                      coordinator_failed, launch_errors)};
}

CriterionResult no_deadlock(const std::string& watchdog_message) {
  if (!watchdog_message.empty()) return {"no deadlock", false, watchdog_message};
  return {"no deadlock", true, "requests kept finishing until the end (watchdog never fired)"};
}

// A task that finishes nothing for a whole window is starved (or stuck).
CriterionResult every_task_progresses(const std::vector<const SoakWindow*>& windows) {
  if (windows.empty()) return {"every task progresses in every window", false, "no measured window"};
  std::uint64_t fewest = UINT64_MAX;
  std::string where;
  for (const SoakWindow* w : windows)
    for (const SoakTaskWindow& t : w->tasks)
      if (t.finished < fewest) fewest = t.finished, where = fmt::format("{} in window {}", t.task, w->index);
  return {"every task progresses in every window", fewest > 0,
          fmt::format("fewest requests finished: {} ({})", fewest, where)};
}

CriterionResult preemption_exercised(const std::vector<const SoakWindow*>& windows) {
  if (windows.empty()) return {"preemption in every window", false, "no measured window"};
  std::uint64_t total = 0, resumes = 0, fewest = UINT64_MAX;
  int fewest_at = 0;
  for (const SoakWindow* w : windows) {
    total += w->counters.preemptions;
    resumes += w->counters.resumes;
    if (w->counters.preemptions < fewest) fewest = w->counters.preemptions, fewest_at = w->index;
  }
  return {"preemption in every window", fewest > 0,
          fmt::format("{} preemption(s), {} resume(s) in the measured windows; fewest in one window: {} (window {})",
                      total, resumes, fewest, fewest_at)};
}

CriterionResult memory_flat(const std::string& name, const std::vector<const SoakWindow*>& windows,
                            std::optional<std::uint64_t> SoakWindow::*field, std::uint64_t limit) {
  if (windows.size() < 2) return {name, false, "fewer than 2 measured windows: nothing to compare"};
  std::vector<double> times, values;
  for (const SoakWindow* w : windows) {
    if (!(w->*field)) return {name, false, fmt::format("no reading in window {}", w->index)};
    times.push_back(w->end_s);
    values.push_back(static_cast<double>(*(w->*field)));
  }
  const double first = values.front(), last = values.back();
  const double peak = *std::max_element(values.begin(), values.end());
  const double growth = last - first;
  // Requests run after the baseline reading: a leak per request shows as growth / requests.
  std::uint64_t requests = 0;
  for (std::size_t i = 1; i < windows.size(); ++i) requests += windows[i]->counters.requests_completed;
  return {name, growth <= static_cast<double>(limit),
          fmt::format("window {}: {:.2f} MiB, window {}: {:.2f} MiB, growth {:+.3f} MiB (limit {:.0f} MiB) over {} "
                      "requests ({:+.1f} bytes/request); peak {:+.3f} MiB; trend {:+.1f} KiB/min",
                      windows.front()->index, first / kMiB, windows.back()->index, last / kMiB, growth / kMiB,
                      static_cast<double>(limit) / kMiB, requests, requests ? growth / static_cast<double>(requests) : 0.0,
                      (peak - first) / kMiB, slope_per_minute(times, values) / 1024.0)};
}

CriterionResult p99_stable(const std::string& task, const std::vector<const SoakWindow*>& windows,
                           const SoakCriteria& c) {
  const std::string name = "critical p99 stable (" + task + ")";
  std::vector<double> p99;
  std::vector<int> index;
  for (const SoakWindow* w : windows)
    for (const SoakTaskWindow& t : w->tasks)
      if (t.task == task && t.latency_ms.count >= c.min_p99_samples) p99.push_back(t.latency_ms.p99), index.push_back(w->index);
  if (p99.size() < 2)
    return {name, false,
            fmt::format("only {} measured window(s) with >= {} requests: too few to judge", p99.size(),
                        c.min_p99_samples)};
  const double m = median(p99);
  const auto worst = std::max_element(p99.begin(), p99.end());
  const double worst_ratio = m > 0 ? *worst / m : 0;
  const std::size_t half = p99.size() / 2;
  const double first = median(std::vector<double>(p99.begin(), p99.begin() + half));
  const double second = median(std::vector<double>(p99.end() - half, p99.end()));
  const double drift = first > 0 ? second / first : 0;
  const bool ok = worst_ratio <= c.max_p99_over_median && drift <= c.max_p99_drift;
  return {name, ok,
          fmt::format("median window p99 {:.3f} ms over {} windows; worst {:.3f} ms (window {}) = {:.2f}x median "
                      "(limit {:.2f}x); second half / first half {:.3f} / {:.3f} ms = {:.2f}x (limit {:.2f}x)",
                      m, p99.size(), *worst, index[worst - p99.begin()], worst_ratio, c.max_p99_over_median, second,
                      first, drift, c.max_p99_drift)};
}

}  // namespace

bool SoakVerdict::passed() const {
  if (criteria.empty()) return false;
  return std::all_of(criteria.begin(), criteria.end(), [](const CriterionResult& c) { return c.passed; });
}

double slope_per_minute(const std::vector<double>& t, const std::vector<double>& v) {
  const std::size_t n = std::min(t.size(), v.size());
  if (n < 2) return 0;
  double mt = 0, mv = 0;
  for (std::size_t i = 0; i < n; ++i) mt += t[i], mv += v[i];
  mt /= static_cast<double>(n), mv /= static_cast<double>(n);
  double num = 0, den = 0;
  for (std::size_t i = 0; i < n; ++i) num += (t[i] - mt) * (v[i] - mv), den += (t[i] - mt) * (t[i] - mt);
  return den > 0 ? 60.0 * num / den : 0;
}

SoakVerdict judge_soak(const std::vector<SoakWindow>& windows, const SoakCriteria& c,
                       const std::string& watchdog_message) {
  SoakVerdict v;
  const std::vector<const SoakWindow*> m = measured(windows, c.warmup_windows);
  v.criteria.push_back(outputs_equal(windows));
  v.criteria.push_back(no_failures(windows));
  v.criteria.push_back(no_deadlock(watchdog_message));
  v.criteria.push_back(every_task_progresses(m));
  v.criteria.push_back(preemption_exercised(m));
  v.criteria.push_back(memory_flat("device memory flat", m, &SoakWindow::device_used_bytes, c.max_device_growth_bytes));
  v.criteria.push_back(memory_flat("host memory (RSS) flat", m, &SoakWindow::host_rss_bytes, c.max_host_growth_bytes));
  std::vector<std::string> critical;
  if (!windows.empty())
    for (const SoakTaskWindow& t : windows.front().tasks)
      if (t.criticality == Criticality::kCritical) critical.push_back(t.task);
  if (critical.empty()) v.criteria.push_back({"critical p99 stable", false, "no critical task in the workload"});
  for (const std::string& task : critical) v.criteria.push_back(p99_stable(task, m, c));
  return v;
}

}  // namespace miriam::bench
