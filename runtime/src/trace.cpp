#include "miriam/trace.h"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

namespace miriam {

std::string chrome_trace_json(const std::vector<TraceSpan>& spans, int device, const std::string& process_name,
                              const CoordinatorStats* stats) {
  using nlohmann::json;
  json events = json::array();
  events.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", device}, {"args", {{"name", process_name}}}});
  std::vector<int> named_streams;
  for (const TraceSpan& s : spans) {
    if (std::find(named_streams.begin(), named_streams.end(), s.stream) == named_streams.end()) {
      named_streams.push_back(s.stream);
      events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", device}, {"tid", s.stream},
                        {"args", {{"name", "stream " + std::to_string(s.stream) + " (" + s.task + ")"}}}});
    }
    events.push_back({{"name", s.name},
                      {"cat", std::string(s.critical ? "critical" : "normal") + (s.shard ? ",shard" : "") + (s.shrink_factor ? ",shrunk" : "") +
                                  (s.persistent ? ",persistent" : "")},
                      {"ph", "X"},
                      {"pid", device},
                      {"tid", s.stream},
                      {"ts", s.begin_us},
                      {"dur", s.end_us - s.begin_us},
                      {"args",
                       {{"task", s.task},
                        {"request", s.request},
                        {"first_block", s.first_block},
                        {"blocks", s.blocks},
                        {"shrink_factor", s.shrink_factor},
                        {"physical_blocks", s.persistent ? s.physical_blocks : 0},
                        {"blocks_done", s.persistent ? s.blocks_done : s.blocks},
                        {"drain_us", s.stop_us >= 0 ? s.end_us - s.stop_us : 0.0},
                        {"submitted_us", s.submitted_us},
                        {"locked_us", s.locked_us},
                        {"issued_us", s.issued_us}}}});
  }
  json doc = {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
  if (stats)
    doc["otherData"] = {{"launches_submitted", stats->launches_submitted},
                        {"kernels_issued", stats->kernels_issued},
                        {"shards_issued", stats->shards_issued},
                        {"shards_shrunk", stats->shards_shrunk},
                        {"holds", stats->holds},
                        {"requests_completed", stats->requests_completed},
                        {"requests_failed", stats->requests_failed},
                        {"deadline_misses", stats->deadline_misses},
                        {"launch_errors", stats->launch_errors},
                        {"persistent_launches", stats->persistent_launches},
                        {"persistent_loop_free", stats->persistent_loop_free},
                        {"persistent_original", stats->persistent_original},
                        {"trace_spans_dropped", stats->trace_spans_dropped},
                        {"preemptions_requested", stats->preemptions_requested},
                        {"preemptions", stats->preemptions},
                        {"resumes", stats->resumes},
                        {"regrows", stats->regrows},
                        {"stops_ahead", stats->stops_ahead},
                        {"holds_long_blocks", stats->holds_long_blocks},
                        {"holds_critical_due", stats->holds_critical_due},
                        {"drain_us_mean", stats->preemptions ? stats->drain_us_total / stats->preemptions : 0.0},
                        {"drain_us_max", stats->drain_us_max},
                        {"stop_request_errors", stats->stop_request_errors},
                        {"submit_cpu_us_per_launch",
                         stats->launches_submitted ? stats->submit_cpu_us_total / stats->launches_submitted : 0.0}};
  return doc.dump();
}

bool write_chrome_trace(const std::string& path, const std::vector<TraceSpan>& spans, int device,
                        const std::string& process_name, const CoordinatorStats* stats) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return false;
  out << chrome_trace_json(spans, device, process_name, stats);
  return static_cast<bool>(out);
}

}  // namespace miriam
