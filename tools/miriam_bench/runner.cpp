#include "runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "coordinator_launcher.h"
#include "measure.h"
#include "output_checker.h"
#include "release_wait.h"

namespace miriam::bench {

namespace {

// What one application thread saw.
struct TaskLog : TaskRequests {
  std::string first_error;
};

// Stop signal for tasks that run until the counted ones are done.
struct StopSignal {
  std::atomic<bool> stop{false};
  std::mutex mu;
  Clock::time_point at;
  void raise() {
    std::lock_guard<std::mutex> lock(mu);
    if (!stop.load()) at = Clock::now(), stop.store(true);
  }
};

void drive_task(Coordinator& coord, TaskId id, BenchTask& task, const RunEnvironment& env, const RunPlan& plan,
                Clock::time_point start, StopSignal& stop, std::atomic<int>& counted_left, TaskLog& log) {
  CoordinatorLauncher launcher(coord, id);
  OutputChecker checker(task, env);
  const bool forced_closed_loop = plan.closed_loop_count.has_value();
  ReleaseSchedule schedule(forced_closed_loop ? ResolvedArrival{} : task.arrival, task.arrival_seed);
  const std::optional<int> count = forced_closed_loop ? plan.closed_loop_count : task.spec.count;
  auto note = [&](const std::string& message) {
    if (log.first_error.empty()) log.first_error = message;
  };
  for (int k = 0;; ++k) {
    // A counted task sees the stop only when the run is cut (RunPlan::cut_after_s).
    if ((count && k >= *count) || stop.stop.load()) break;
    const std::optional<double> offset = schedule.next_us();
    const Clock::time_point release =
        offset ? start + std::chrono::duration_cast<Clock::duration>(Micros(*offset)) : Clock::now();
    if (offset && !wait_until(release, &stop.stop)) break;
    const Clock::time_point begin = Clock::now();
    RequestId request = 0;
    Status st = coord.begin_request(id, &request);
    if (st != Status::kSuccess) {
      ++log.failures;
      note(std::string("begin_request: ") + to_string(st));
      break;
    }
    const cudaError_t forward = task.model->forward(launcher);
    const Status ended = coord.end_request(id);
    RequestResult result;
    st = coord.wait(request, &result);
    if (forward != cudaSuccess || ended != Status::kSuccess || st != Status::kSuccess) {
      ++log.failures;
      note(fmt::format("request {}: forward {} ({}), end_request {}, wait {}: {}", k, cudaGetErrorString(forward),
                       to_string(launcher.last_status()), to_string(ended), to_string(st), result.message));
      continue;
    }
    // Completion as the coordinator observed it, on this thread's clock.
    const Clock::time_point done =
        begin + std::chrono::duration_cast<Clock::duration>(Micros(result.completed_us - result.release_us));
    RequestTiming r;
    r.done_s = std::chrono::duration<double>(done - start).count();
    r.latency_ms = std::chrono::duration<double, std::milli>(done - release).count();
    r.issue_latency_ms = std::chrono::duration<double, std::milli>(done - begin).count();
    r.gpu_span_ms = (result.gpu_end_us - result.gpu_begin_us) / 1000.0;
    r.start_lag_ms = (result.gpu_begin_us - result.release_us) / 1000.0;
    r.end_lag_ms = (result.completed_us - result.gpu_end_us) / 1000.0;
    log.requests.push_back(r);
    if (env.verify == VerifyMode::kEvery) {
      std::string error;
      if (!checker.check(&error)) ++log.mismatches, note(fmt::format("request {}: {}", k, error));
    }
  }
  if (env.verify == VerifyMode::kLast && !log.requests.empty()) {
    std::string error;
    if (!checker.check(&error)) ++log.mismatches, note("last request: " + error);
  }
  if (count && --counted_left == 0) stop.raise();
}

TaskResult summarize_task(const BenchTask& task, const TaskLog& log, int warmup, const Window& window) {
  TaskResult t;
  t.task = task.spec.name;
  t.model = task.spec.model.text;
  t.batch = task.spec.batch;
  t.criticality = task.spec.criticality;
  t.arrival = describe(task.arrival);
  summarize_requests(log, task.spec.batch, warmup, task.deadline_us, window, &t);
  return t;
}

}  // namespace

std::string describe(const ResolvedArrival& a) {
  switch (a.kind) {
    case ArrivalKind::kPeriodic: return fmt::format("periodic {:.0f}us", a.interval_us);
    case ArrivalKind::kPoisson: return fmt::format("poisson {:.0f}us", a.interval_us);
    case ArrivalKind::kClosedLoop: break;
  }
  return "closed_loop";
}

PolicyRun run_tasks(const RunEnvironment& env, const RunPlan& plan) {
  CoordinatorConfig config;
  config.policy = plan.policy;
  config.policy_options = env.policy_options;
  config.tracing = true;  // per-request GPU spans, and the trace file
  config.gpu_override = env.gpu;
  config.create_stream = env.create_stream;
  config.order_critical_tasks = env.order_critical_tasks;
  config.block_time_per_launch = env.block_time_per_launch;
  Coordinator coord(config, env.catalog, env.profile);
  if (const Status st = coord.initialize(); st != Status::kSuccess)
    throw std::runtime_error(std::string("Coordinator::initialize: ") + to_string(st));
  std::vector<TaskId> ids;
  int counted = 0;
  for (BenchTask* t : plan.tasks) {
    TaskDesc desc{t->spec.name, t->spec.criticality, t->spec.priority, t->deadline_us};
    TaskId id = 0;
    if (const Status st = coord.add_task(desc, &id); st != Status::kSuccess)
      throw std::runtime_error("add_task " + t->spec.name + ": " + to_string(st));
    ids.push_back(id);
    if (plan.closed_loop_count || t->spec.count) ++counted;
  }
  if (!counted && !plan.stop_after_s) throw std::runtime_error(plan.label + ": nothing would stop this run");

  StopSignal stop;
  std::atomic<int> counted_left{counted};
  std::vector<TaskLog> logs(plan.tasks.size());
  // Threads start together, a little in the future, so the first releases line up.
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(5);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < plan.tasks.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        drive_task(coord, ids[i], *plan.tasks[i], env, plan, start, stop, counted_left, logs[i]);
      } catch (const std::exception& e) {
        ++logs[i].failures;
        if (logs[i].first_error.empty()) logs[i].first_error = e.what();
        if (plan.closed_loop_count || plan.tasks[i]->spec.count)
          if (--counted_left == 0) stop.raise();
      }
    });
  std::optional<double> cut_at_s;
  if (const std::optional<double> limit = plan.stop_after_s ? plan.stop_after_s : plan.cut_after_s) {
    const bool timed_out = wait_until(
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*limit)), &stop.stop);
    if (timed_out && !plan.stop_after_s && counted_left.load() > 0) cut_at_s = *limit;
    stop.raise();
  }
  for (std::thread& t : threads) t.join();
  coord.synchronize();

  const Window window =
      throughput_window(std::vector<TaskRequests>(logs.begin(), logs.end()), std::chrono::duration<double>(stop.at - start).count());
  PolicyRun run;
  run.policy = plan.label;
  run.window_s = window.length_s();
  run.cut_at_s = cut_at_s;
  for (std::size_t i = 0; i < plan.tasks.size(); ++i) {
    run.tasks.push_back(summarize_task(*plan.tasks[i], logs[i], plan.warmup_requests, window));
    if (!logs[i].first_error.empty())
      std::cerr << fmt::format("miriam_bench: {} / {}: {} failed request(s), {} mismatch(es); first: {}\n",
                               plan.label, plan.tasks[i]->spec.name, logs[i].failures, logs[i].mismatches,
                               logs[i].first_error);
  }
  run.stats = coord.stats();
  if (!plan.trace_path.empty() && !coord.write_trace(plan.trace_path))
    std::cerr << "miriam_bench: cannot write " << plan.trace_path << "\n";
  return run;
}

}  // namespace miriam::bench
