#include "bench.h"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "models.h"

namespace miriam::bench {

namespace {

constexpr int kCalibrationRequests = 15, kCalibrationWarmup = 3;

// How long a run of the counted tasks should last: the solo length of an
// uncounted task (a normal closed-loop task) is the same.
double expected_run_s(const Workload& w, const std::vector<std::unique_ptr<BenchTask>>& tasks) {
  double longest = 0;
  for (const auto& t : tasks) {
    if (!t->spec.count) continue;
    const double per_request_us =
        t->arrival.kind == ArrivalKind::kClosedLoop ? t->solo_latency_us : t->arrival.interval_us;
    longest = std::max(longest, *t->spec.count * per_request_us / 1e6);
  }
  if (longest == 0 && w.duration_s) longest = *w.duration_s;
  return std::max(longest, 0.2);
}

}  // namespace

std::string sm_tag(const DeviceInfo& device) {
  return device.sms_requested ? fmt::format("sms{}", device.sms_requested) : "full";
}

std::string describe_planner(const Options& options) {
  const ShardPlannerConfig& planner = options.policy_options.planner;
  return fmt::format(
      "critical_budget_us={} idle_budget_us={} pad_critical_sms={} hold_over_budget={} shards_in_flight={},{} "
      "long_blocks={} drain_ahead={} shrunk={} claim_budget_us={} profile={} critical_order={} block_time={}",
      planner.critical_budget_us, planner.idle_budget_us ? fmt::format("{}", *planner.idle_budget_us) : "none",
      planner.share_critical_sms ? "on" : "off", planner.hold_if_over_budget ? "yes" : "no",
      options.policy_options.shards_in_flight_critical, options.policy_options.shards_in_flight_idle,
      !options.policy_options.hold_long_blocks        ? "pad"
      : options.policy_options.hold_long_persistent ? "hold-all"
                                                    : "hold", options.policy_options.drain_ahead ? "on" : "off",
      options.policy_options.use_shrunk ? "on" : "off",
      options.policy_options.persistent.claim_budget_us,
      options.profile.empty() ? "none" : options.profile, options.order_critical_tasks ? "priority" : "none",
      options.block_time_per_launch ? "per-launch" : "per-shape");
}

std::vector<std::unique_ptr<BenchTask>> prepare_tasks(const Workload& w, const Options& options,
                                                      const RunEnvironment& env) {
  std::vector<std::unique_ptr<BenchTask>> tasks;
  for (std::size_t i = 0; i < w.tasks.size(); ++i) {
    auto t = std::make_unique<BenchTask>();
    t->spec = w.tasks[i];
    t->arrival_seed = options.seed * 1000003ull + i;
    std::string error;
    t->model = create_model(t->spec, options.seed + i, &error);
    if (!t->model) throw std::runtime_error(w.origin + ": task '" + t->spec.name + "': " + error);
    tasks.push_back(std::move(t));
  }

  // Calibration: each task alone, back to back; its median latency resolves
  // intervals and deadlines given relative to solo, and its first output
  // becomes the reference every later request is compared with.
  for (auto& t : tasks) {
    RunPlan plan;
    plan.label = "calibration";
    plan.tasks = {t.get()};
    plan.warmup_requests = kCalibrationWarmup;
    plan.closed_loop_count = kCalibrationRequests;
    const PolicyRun run = run_tasks(env, plan);
    const TaskResult& r = run.tasks.front();
    if (r.failures || r.mismatches || r.latencies_ms.empty())
      throw std::runtime_error("task '" + t->spec.name + "' failed alone (calibration); see the messages above");
    t->solo_latency_us = r.latency_ms.p50 * 1000.0;
    t->arrival = resolve(t->spec.arrival, t->solo_latency_us);
    if (t->spec.deadline_us) t->deadline_us = t->spec.deadline_us;
    if (t->spec.deadline_x_solo) t->deadline_us = *t->spec.deadline_x_solo * t->solo_latency_us;
    std::cerr << fmt::format("  calibrated {} ({} x{}{}): {:.3f} ms alone, {} kernels/inference, arrival {}\n",
                             t->spec.name, t->spec.model.text, t->spec.batch,
                             t->spec.conv_split_depth > 0
                                 ? fmt::format(", conv split depth {}", t->spec.conv_split_depth)
                                 : "",
                             t->solo_latency_us / 1000.0, t->model->kernels_per_inference(), describe(t->arrival));
  }
  return tasks;
}

RunHeader run_header(const Workload& w, const Options& options, const DeviceInfo& device, const std::string& commit,
                     const std::string& date) {
  RunHeader h;
  h.workload = w.name;
  h.description = w.description;
  h.workload_file = w.origin;
  h.card = device.card;
  h.sm_count = device.sm_count;
  h.sms_requested = device.sms_requested;
  h.date = date;
  h.commit = commit;
  h.seed = options.seed;
  h.planner = describe_planner(options);
  return h;
}

BenchReport run_workload(const Workload& w, const Options& options, const RunEnvironment& env,
                         const DeviceInfo& device, const std::string& commit, const std::string& date) {
  BenchReport report;
  static_cast<RunHeader&>(report) = run_header(w, options, device, commit, date);
  report.short_mode = options.short_mode;
  report.verify_mode = options.verify == VerifyMode::kEvery ? "every request" : "last request";
  report.tasks = w.tasks;
  std::vector<std::unique_ptr<BenchTask>> tasks = prepare_tasks(w, options, env);
  for (const auto& t : tasks) report.solo_latency_us.push_back(t->solo_latency_us);

  const double run_s = expected_run_s(w, tasks);
  const std::string trace_prefix =
      options.trace_dir.empty() ? "" : options.trace_dir + "/" + w.name + "_" + sm_tag(device) + "_";

  for (auto& t : tasks) {
    RunPlan plan;
    plan.label = "solo";
    plan.tasks = {t.get()};
    plan.warmup_requests = w.warmup_requests;
    if (!t->spec.count) plan.stop_after_s = run_s;
    plan.trace_path = trace_prefix.empty() ? "" : trace_prefix + "solo_" + t->spec.name + ".json";
    report.solo.push_back(run_tasks(env, plan).tasks.front());
  }

  for (PolicyKind kind : options.policies) {
    RunPlan plan;
    plan.label = to_string(kind);
    plan.policy = kind;
    for (auto& t : tasks) plan.tasks.push_back(t.get());
    plan.warmup_requests = w.warmup_requests;
    if (!w.has_counted_task()) plan.stop_after_s = run_s;
    plan.cut_after_s = options.max_run_s;
    plan.trace_path = trace_prefix.empty() ? "" : trace_prefix + plan.label + ".json";
    std::cerr << fmt::format("  running {} under {}\n", w.name, plan.label);
    report.runs.push_back(run_tasks(env, plan));
  }
  return report;
}

}  // namespace miriam::bench
