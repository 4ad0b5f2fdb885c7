#include "soak_report.h"

#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace miriam::bench {

namespace {

using nlohmann::json;

constexpr double kMiB = 1024.0 * 1024.0;

json optional_bytes(const std::optional<std::uint64_t>& v) { return v ? json(*v) : json(nullptr); }

std::string mib(const std::optional<std::uint64_t>& v) {
  return v ? fmt::format("{:.1f}", static_cast<double>(*v) / kMiB) : "-";
}

json counters_json(const SoakCounters& c) {
  return {{"requests_completed", c.requests_completed},
          {"requests_failed", c.requests_failed},
          {"launch_errors", c.launch_errors},
          {"kernels_issued", c.kernels_issued},
          {"shards_issued", c.shards_issued},
          {"holds", c.holds},
          {"persistent_launches", c.persistent_launches},
          {"preemptions_requested", c.preemptions_requested},
          {"preemptions", c.preemptions},
          {"resumes", c.resumes},
          {"regrows", c.regrows},
          {"stops_ahead", c.stops_ahead},
          {"holds_long_blocks", c.holds_long_blocks},
          {"holds_critical_due", c.holds_critical_due},
          {"stop_request_errors", c.stop_request_errors}};
}

json window_json(const SoakWindow& w) {
  json tasks = json::array();
  for (const SoakTaskWindow& t : w.tasks) {
    json j = {{"task", t.task},
              {"criticality", to_string(t.criticality)},
              {"finished", t.finished},
              {"failures", t.failures},
              {"mismatches", t.mismatches}};
    j["latency_ms"] = {{"count", t.latency_ms.count}, {"p50", t.latency_ms.p50}, {"p99", t.latency_ms.p99},
                       {"max", t.latency_ms.max},     {"mean", t.latency_ms.mean}};
    tasks.push_back(std::move(j));
  }
  return {{"index", w.index},
          {"begin_s", w.begin_s},
          {"end_s", w.end_s},
          {"tasks", tasks},
          {"coordinator", counters_json(w.counters)},
          {"device_used_bytes", optional_bytes(w.device_used_bytes)},
          {"host_rss_bytes", optional_bytes(w.host_rss_bytes)}};
}

}  // namespace

std::string soak_window_line(const SoakWindow& w) {
  std::string line = fmt::format("window {:>3} [{:7.1f},{:7.1f}] s:", w.index, w.begin_s, w.end_s);
  for (const SoakTaskWindow& t : w.tasks) {
    line += fmt::format(" {} {}", t.task, t.finished);
    if (t.criticality == Criticality::kCritical)
      line += fmt::format(" (p50 {:.3f} p99 {:.3f} max {:.3f} ms)", t.latency_ms.p50, t.latency_ms.p99, t.latency_ms.max);
    if (t.mismatches || t.failures) line += fmt::format(" MISMATCH {} FAIL {}", t.mismatches, t.failures);
  }
  line += fmt::format(" | preempt {} resume {} | device {} MiB, RSS {} MiB", w.counters.preemptions, w.counters.resumes,
                      mib(w.device_used_bytes), mib(w.host_rss_bytes));
  return line;
}

std::string soak_json(const SoakReport& r) {
  json tasks = json::array();
  for (std::size_t i = 0; i < r.tasks.size(); ++i) {
    json task = task_json(r.tasks[i], i < r.solo_latency_us.size() ? r.solo_latency_us[i] : 0.0);
    if (i < r.arrivals.size()) task["arrival"] = r.arrivals[i];
    tasks.push_back(std::move(task));
  }
  json windows = json::array();
  for (const SoakWindow& w : r.windows) windows.push_back(window_json(w));
  json criteria = json::array();
  for (const CriterionResult& c : r.verdict.criteria)
    criteria.push_back({{"criterion", c.name}, {"passed", c.passed}, {"detail", c.detail}});
  const SoakCriteria& k = r.criteria;
  json doc = run_header_json(r);
  doc.update({{"benchmark", "miriam_bench soak"},
              {"policy", "miriam"},
              {"soak_seconds", r.soak_seconds},
              {"window_seconds", r.window_seconds},
              {"watchdog_seconds", r.watchdog_seconds},
              {"coordinator_tracing", "on, the trace cleared every second"},
              {"verification", "every request's output copied back and compared bit for bit with the solo output"},
              {"complete", r.complete},
              {"tasks", tasks},
              {"windows", windows},
              {"limits",
               {{"warmup_windows", k.warmup_windows},
                {"max_device_growth_bytes", k.max_device_growth_bytes},
                {"max_host_growth_bytes", k.max_host_growth_bytes},
                {"max_p99_over_median", k.max_p99_over_median},
                {"max_p99_drift", k.max_p99_drift},
                {"min_p99_samples", k.min_p99_samples}}},
              {"verdict", {{"passed", r.verdict.passed()}, {"criteria", criteria}}}});
  if (!r.watchdog_message.empty())
    doc["watchdog"] = {{"message", r.watchdog_message}, {"coordinator_state", r.watchdog_state}};
  return doc.dump(1);
}

std::string soak_markdown(const SoakReport& r) {
  std::ostringstream out;
  out << fmt::format("# Soak: {} under miriam, {}\n\n", r.workload, r.verdict.passed() ? "PASSED" : "FAILED");
  out << fmt::format("{} ({} SMs{}), commit {}, {}; {:.0f} s of arrivals in {:.0f}-s windows (first {} = warm-up), "
                     "seed {}{}.\n\n",
                     r.card, r.sm_count, r.sms_requested ? ", green context" : ", whole GPU", r.commit, r.date,
                     r.soak_seconds, r.window_seconds, r.criteria.warmup_windows, r.seed,
                     r.complete ? "" : "; **incomplete run**");
  if (!r.planner.empty()) out << "miriam planner: " << r.planner << "\n\n";
  out << "| task | model | criticality | arrival | solo (calibration median) |\n|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < r.tasks.size(); ++i)
    out << fmt::format("| {} | {} x{} | {} | {} | {:.3f} ms |\n", r.tasks[i].name, r.tasks[i].model.text,
                       r.tasks[i].batch, to_string(r.tasks[i].criticality), i < r.arrivals.size() ? r.arrivals[i] : "",
                       i < r.solo_latency_us.size() ? r.solo_latency_us[i] / 1000.0 : 0.0);
  out << "\n## Verdict\n\n| criterion | result | numbers |\n|---|---|---|\n";
  for (const CriterionResult& c : r.verdict.criteria)
    out << fmt::format("| {} | {} | {} |\n", c.name, c.passed ? "pass" : "**FAIL**", c.detail);
  if (!r.watchdog_message.empty())
    out << "\n## Watchdog\n\n" << r.watchdog_message << "\n\n```\n" << r.watchdog_state << "\n```\n";
  out << "\n## Windows\n\n| window | end s |";
  if (!r.windows.empty())
    for (const SoakTaskWindow& t : r.windows.front().tasks)
      out << (t.criticality == Criticality::kCritical ? fmt::format(" {} n / p50 / p99 / max ms |", t.task)
                                                      : fmt::format(" {} n |", t.task));
  out << " mism/fail | preempt / resume | device MiB | RSS MiB |\n|---|---|";
  if (!r.windows.empty())
    for (std::size_t i = 0; i < r.windows.front().tasks.size(); ++i) out << "---|";
  out << "---|---|---|---|\n";
  for (const SoakWindow& w : r.windows) {
    std::uint64_t mism = 0, fail = 0;
    out << fmt::format("| {}{} | {:.1f} |", w.index, w.index < r.criteria.warmup_windows ? " (warm-up)" : "", w.end_s);
    for (const SoakTaskWindow& t : w.tasks) {
      mism += t.mismatches, fail += t.failures;
      if (t.criticality == Criticality::kCritical)
        out << fmt::format(" {} / {:.3f} / {:.3f} / {:.3f} |", t.finished, t.latency_ms.p50, t.latency_ms.p99,
                           t.latency_ms.max);
      else
        out << fmt::format(" {} |", t.finished);
    }
    out << fmt::format(" {}/{} | {} / {} | {} | {} |\n", mism, fail, w.counters.preemptions, w.counters.resumes,
                       mib(w.device_used_bytes), mib(w.host_rss_bytes));
  }
  return out.str();
}

}  // namespace miriam::bench
