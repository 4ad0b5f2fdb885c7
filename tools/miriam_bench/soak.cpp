#include "soak.h"

#include <cuda_runtime_api.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "coordinator_launcher.h"
#include "output_checker.h"
#include "process_memory.h"
#include "release_wait.h"
#include "soak_report.h"

namespace miriam::bench {

namespace {

namespace fs = std::filesystem;

// The coordinator's trace is emptied this often: it stays a few MB and the
// clear holds the coordinator's mutex only briefly.
constexpr auto kTraceClearInterval = std::chrono::seconds(1);

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// Where a task's application thread is, for the watchdog's report.
enum class Phase : int { kWaitingRelease, kSubmitting, kWaitingCompletion, kCheckingOutput, kExited };

const char* to_string(Phase p) {
  switch (p) {
    case Phase::kWaitingRelease: return "waiting for its next release";
    case Phase::kSubmitting: return "submitting a request (begin_request/submit/end_request)";
    case Phase::kWaitingCompletion: return "in Coordinator::wait for its request";
    case Phase::kCheckingOutput: return "copying its output back";
    case Phase::kExited: return "exited";
  }
  return "unknown";
}

// One task's requests inside the current window; the main thread takes them
// when the window closes. Two sample buffers alternate, so their capacity is
// reused and a steady run allocates nothing here.
class WindowTally {
 public:
  void finished(double latency_ms, bool mismatch) {
    std::lock_guard<std::mutex> lock(mu_);
    latencies_.push_back(latency_ms);
    ++finished_;
    if (mismatch) ++mismatches_;
  }
  void failed() {
    std::lock_guard<std::mutex> lock(mu_);
    ++failures_;
  }
  SoakTaskWindow take(const TaskSpec& spec) {
    SoakTaskWindow w;
    w.task = spec.name;
    w.criticality = spec.criticality;
    taken_.clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::swap(taken_, latencies_);
      w.finished = finished_, w.failures = failures_, w.mismatches = mismatches_;
      finished_ = failures_ = mismatches_ = 0;
    }
    w.latency_ms = summarize(taken_);
    return w;
  }

 private:
  std::mutex mu_;
  std::vector<double> latencies_, taken_;
  std::uint64_t finished_ = 0, failures_ = 0, mismatches_ = 0;
};

struct SoakTask {
  BenchTask* task = nullptr;
  TaskId id = 0;
  WindowTally tally;
  std::atomic<int> phase{static_cast<int>(Phase::kWaitingRelease)};
  std::atomic<std::uint64_t> finished_total{0};
  std::atomic<std::int64_t> last_finished_ns{0};
  std::atomic<int> errors_reported{0};

  void set(Phase p) { phase.store(static_cast<int>(p), std::memory_order_relaxed); }
  // The first few errors go to stderr as they happen; the counts are in the windows.
  void report_error(const std::string& message) {
    if (errors_reported.fetch_add(1) < 5) std::cerr << "miriam_bench soak: " << task->spec.name << ": " << message << "\n";
  }
};

struct SoakClock {
  Clock::time_point start;
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> last_progress_ns{0};  // a request finished (or a phase began)
  void touch() { last_progress_ns.store(now_ns(), std::memory_order_relaxed); }
  double seconds(Clock::time_point t) const { return std::chrono::duration<double>(t - start).count(); }
};

// One task's application thread: a request per release until the stop.
void drive(Coordinator& coord, SoakTask& st, const RunEnvironment& env, SoakClock& clock) {
  BenchTask& task = *st.task;
  CoordinatorLauncher launcher(coord, st.id);
  OutputChecker checker(task, env);
  ReleaseSchedule schedule(task.arrival, task.arrival_seed);
  for (std::uint64_t k = 0; !clock.stop.load(); ++k) {
    st.set(Phase::kWaitingRelease);
    const std::optional<double> offset = schedule.next_us();
    const Clock::time_point release =
        offset ? clock.start + std::chrono::duration_cast<Clock::duration>(Micros(*offset)) : Clock::now();
    if (offset && !wait_until(release, &clock.stop)) break;
    st.set(Phase::kSubmitting);
    const Clock::time_point begin = Clock::now();
    RequestId request = 0;
    Status s = coord.begin_request(st.id, &request);
    if (s != Status::kSuccess) {
      st.tally.failed();
      st.report_error(fmt::format("request {}: begin_request: {} (the task stops)", k, to_string(s)));
      break;
    }
    const cudaError_t forward = task.model->forward(launcher);
    const Status ended = coord.end_request(st.id);
    st.set(Phase::kWaitingCompletion);
    RequestResult result;
    s = coord.wait(request, &result);
    clock.touch();
    if (forward != cudaSuccess || ended != Status::kSuccess || s != Status::kSuccess) {
      st.tally.failed();
      st.report_error(fmt::format("request {}: forward {} ({}), end_request {}, wait {}: {}", k,
                                  cudaGetErrorString(forward), to_string(launcher.last_status()), to_string(ended),
                                  to_string(s), result.message));
      continue;
    }
    // Completion as the coordinator observed it, on this thread's clock.
    const Clock::time_point done =
        begin + std::chrono::duration_cast<Clock::duration>(Micros(result.completed_us - result.release_us));
    st.set(Phase::kCheckingOutput);
    std::string error;
    const bool equal = checker.check(&error);
    st.tally.finished(std::chrono::duration<double, std::milli>(done - release).count(), !equal);
    st.finished_total.fetch_add(1, std::memory_order_relaxed);
    st.last_finished_ns.store(now_ns(), std::memory_order_relaxed);
    if (!equal) st.report_error(fmt::format("request {}: {}", k, error));
  }
}

SoakCounters counters_between(const CoordinatorStats& a, const CoordinatorStats& b) {
  SoakCounters c;
  c.requests_completed = b.requests_completed - a.requests_completed;
  c.requests_failed = b.requests_failed - a.requests_failed;
  c.launch_errors = b.launch_errors - a.launch_errors;
  c.kernels_issued = b.kernels_issued - a.kernels_issued;
  c.shards_issued = b.shards_issued - a.shards_issued;
  c.holds = b.holds - a.holds;
  c.persistent_launches = b.persistent_launches - a.persistent_launches;
  c.preemptions_requested = b.preemptions_requested - a.preemptions_requested;
  c.preemptions = b.preemptions - a.preemptions;
  c.resumes = b.resumes - a.resumes;
  c.regrows = b.regrows - a.regrows;
  c.stops_ahead = b.stops_ahead - a.stops_ahead;
  c.holds_long_blocks = b.holds_long_blocks - a.holds_long_blocks;
  c.holds_critical_due = b.holds_critical_due - a.holds_critical_due;
  c.stop_request_errors = b.stop_request_errors - a.stop_request_errors;
  return c;
}

std::optional<std::uint64_t> device_used_bytes() {
  std::size_t free = 0, total = 0;
  if (cudaMemGetInfo(&free, &total) != cudaSuccess) {
    cudaGetLastError();
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(total - free);
}

bool write_atomically(const fs::path& path, const std::string& text) {
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  return !error;
}

// The report, shared by the window loop and the watchdog; rewritten on disk
// after every window so a killed run still leaves its windows behind.
class SoakOutput {
 public:
  SoakOutput(SoakReport header, fs::path base) : report_(std::move(header)), base_(std::move(base)) {}

  void add_window(SoakWindow window) {
    std::lock_guard<std::mutex> lock(mu_);
    report_.windows.push_back(std::move(window));
    write_locked();
  }

  SoakReport finish(const std::string& watchdog_message, const std::string& watchdog_state, bool complete) {
    std::lock_guard<std::mutex> lock(mu_);
    report_.watchdog_message = watchdog_message;
    report_.watchdog_state = watchdog_state;
    report_.complete = complete;
    write_locked();
    return report_;
  }

 private:
  void write_locked() {
    report_.verdict = judge_soak(report_.windows, report_.criteria, report_.watchdog_message);
    if (!write_atomically(base_.string() + ".json", soak_json(report_)) ||
        !write_atomically(base_.string() + ".md", soak_markdown(report_)))
      std::cerr << "miriam_bench soak: cannot write " << base_ << ".{json,md}\n";
  }

  std::mutex mu_;
  SoakReport report_;
  fs::path base_;
};

// The coordinator's counters, read from a helper thread: when the
// coordinator's own mutex is stuck, the watchdog must not hang on it too.
std::string coordinator_state(Coordinator* coord) {
  if (!coord) return "coordinator: shutting down (synchronize or destructor did not return)";
  auto promise = std::make_shared<std::promise<CoordinatorStats>>();
  std::future<CoordinatorStats> future = promise->get_future();
  std::thread([coord, promise] { promise->set_value(coord->stats()); }).detach();
  if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready)
    return "coordinator: stats() did not return within 2 s (its mutex is held: the coordinator itself is stuck)";
  const CoordinatorStats s = future.get();
  return fmt::format(
      "coordinator: launches_submitted {} kernels_issued {} shards_issued {} holds {} requests_completed {} "
      "requests_failed {} launch_errors {} persistent_launches {} preemptions_requested {} preemptions {} resumes {} "
      "regrows {} stops_ahead {} holds_long_blocks {} holds_critical_due {} stop_request_errors {}",
      s.launches_submitted, s.kernels_issued, s.shards_issued, s.holds, s.requests_completed, s.requests_failed,
      s.launch_errors, s.persistent_launches, s.preemptions_requested, s.preemptions, s.resumes, s.regrows,
      s.stops_ahead, s.holds_long_blocks, s.holds_critical_due, s.stop_request_errors);
}

std::string tasks_state(const std::deque<SoakTask>& tasks) {
  std::string out;
  const std::int64_t now = now_ns();
  for (const SoakTask& t : tasks) {
    const std::int64_t last = t.last_finished_ns.load();
    out += fmt::format("task {}: {}; {} request(s) finished, the last {}\n", t.task->spec.name,
                       to_string(static_cast<Phase>(t.phase.load())), t.finished_total.load(),
                       last ? fmt::format("{:.1f} s ago", (now - last) / 1e9) : std::string("never"));
  }
  return out;
}

void print_verdict(const SoakReport& r) {
  for (const CriterionResult& c : r.verdict.criteria)
    std::cout << fmt::format("  {} {}: {}\n", c.passed ? "pass" : "FAIL", c.name, c.detail);
  std::cout << (r.verdict.passed() ? "SOAK PASSED\n" : "SOAK FAILED\n") << std::flush;
}

}  // namespace

int run_soak(const Workload& w, const Options& options, const RunEnvironment& env, const DeviceInfo& device,
             const std::string& commit, const std::string& date) {
  SoakReport header;
  static_cast<RunHeader&>(header) = run_header(w, options, device, commit, date);
  header.soak_seconds = *options.soak_seconds;
  header.window_seconds = options.soak_window_seconds;
  header.watchdog_seconds = options.soak_watchdog_seconds;
  header.tasks = w.tasks;

  // Solo calibration once: its outputs are the references of the whole soak.
  std::vector<std::unique_ptr<BenchTask>> bench_tasks = prepare_tasks(w, options, env);
  for (const auto& t : bench_tasks) {
    header.solo_latency_us.push_back(t->solo_latency_us);
    header.arrivals.push_back(describe(t->arrival));
  }

  CoordinatorConfig config;
  config.policy = PolicyKind::kMiriam;
  config.policy_options = env.policy_options;
  // On, as in the benchmark: the miriam policy learns normal block times from
  // the same timed events. The trace itself records every kernel by design
  // (MBs per second here), so the window loop clears it every second.
  config.tracing = true;
  config.gpu_override = env.gpu;
  config.create_stream = env.create_stream;
  config.order_critical_tasks = env.order_critical_tasks;
  config.block_time_per_launch = env.block_time_per_launch;
  auto coord = std::make_unique<Coordinator>(config, env.catalog, env.profile);
  if (const Status s = coord->initialize(); s != Status::kSuccess)
    throw std::runtime_error(std::string("Coordinator::initialize: ") + to_string(s));
  std::deque<SoakTask> tasks;  // deque: stable addresses, atomics never move
  for (auto& t : bench_tasks) {
    SoakTask& st = tasks.emplace_back();
    st.task = t.get();
    const TaskDesc desc{t->spec.name, t->spec.criticality, t->spec.priority, t->deadline_us};
    if (const Status s = coord->add_task(desc, &st.id); s != Status::kSuccess)
      throw std::runtime_error("add_task " + t->spec.name + ": " + to_string(s));
  }

  // soak_<workload>_<tag>, without doubling the prefix of the bundled soak_* workloads.
  const std::string prefix = w.name.rfind("soak", 0) == 0 ? "" : "soak_";
  const fs::path base = fs::path(options.out_dir) / (prefix + w.name + "_" + sm_tag(device));
  SoakOutput output(header, base);
  const double soak_s = *options.soak_seconds, window_s = options.soak_window_seconds;
  // A remainder shorter than a window joins the last one: no window is short
  // (a short one could lack preemptions or requests by chance).
  const int window_count = std::max(1, static_cast<int>(std::floor(soak_s / window_s + 1e-9)));
  std::cerr << fmt::format("miriam_bench soak: {} under miriam for {:.0f} s, {} window(s) of {:.0f} s, watchdog {:.0f} s; "
                           "results in {}.{{json,md}}\n",
                           w.name, soak_s, window_count, window_s, options.soak_watchdog_seconds, base.string());

  SoakClock clock;
  clock.start = Clock::now() + std::chrono::milliseconds(5);
  clock.touch();
  std::atomic<Coordinator*> live_coordinator{coord.get()};
  std::atomic<bool> watchdog_done{false};
  std::thread watchdog([&] {
    const auto limit_ns = static_cast<std::int64_t>(options.soak_watchdog_seconds * 1e9);
    while (!watchdog_done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const std::int64_t idle = now_ns() - clock.last_progress_ns.load();
      if (idle <= limit_ns || watchdog_done.load()) continue;
      const std::string message =
          fmt::format("deadlock suspected: no request finished for {:.1f} s ({:.1f} s into the soak)", idle / 1e9,
                      clock.seconds(Clock::now()));
      const std::string state = tasks_state(tasks) + coordinator_state(live_coordinator.load());
      std::cout << "miriam_bench soak: " << message << "\n" << state << "\n";
      print_verdict(output.finish(message, state, false));
      std::cerr.flush();
      std::fflush(nullptr);
      std::_Exit(kSoakExitDeadlock);  // threads are stuck: no destructor may run
    }
  });

  std::vector<std::thread> threads;
  for (SoakTask& st : tasks)
    threads.emplace_back([&, p = &st] {
      try {
        drive(*coord, *p, env, clock);
      } catch (const std::exception& e) {
        p->tally.failed();
        p->report_error(std::string("stopped: ") + e.what());
      }
      p->set(Phase::kExited);
    });

  CoordinatorStats previous = coord->stats();
  for (int k = 0; k < window_count; ++k) {
    const bool last = k == window_count - 1;
    const double end_s = last ? soak_s : (k + 1) * window_s;
    const Clock::time_point end = clock.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(end_s));
    for (Clock::time_point next = Clock::now(); next < end;) {
      next = std::min(end, next + kTraceClearInterval);
      wait_until(next, nullptr);
      coord->clear_trace();
    }
    if (last) {
      // Requests in flight finish and count in the last window.
      clock.stop.store(true);
      for (std::thread& t : threads) t.join();
    }
    SoakWindow window;
    window.index = k;
    window.begin_s = k * window_s;
    window.end_s = last ? clock.seconds(Clock::now()) : end_s;
    for (SoakTask& t : tasks) window.tasks.push_back(t.tally.take(t.task->spec));
    const CoordinatorStats now = coord->stats();
    window.counters = counters_between(previous, now);
    previous = now;
    window.device_used_bytes = device_used_bytes();
    window.host_rss_bytes = current_vm_rss_bytes();
    std::cout << soak_window_line(window) << "\n" << std::flush;
    output.add_window(std::move(window));
  }

  // Shutdown is watched too: a coordinator that cannot drain is stuck.
  clock.touch();
  coord->synchronize();
  clock.touch();
  live_coordinator.store(nullptr);
  coord.reset();
  watchdog_done.store(true);
  watchdog.join();

  const SoakReport report = output.finish("", "", true);
  std::cout << fmt::format("soak {} ({}): {} window(s)\n", w.name, base.string(), report.windows.size());
  print_verdict(report);
  return report.verdict.passed() ? 0 : kSoakExitFailed;
}

}  // namespace miriam::bench
