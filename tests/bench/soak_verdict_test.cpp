// The soak verdict: each criterion passes on a healthy series and fails on
// the fault it exists to catch (leaks, drift, mismatches, starvation, ...).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process_memory.h"
#include "soak_report.h"
#include "soak_verdict.h"

using namespace miriam::bench;
using miriam::Criticality;

namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

SoakTaskWindow critical(double p99, std::size_t count = 1000) {
  SoakTaskWindow t;
  t.task = "detect";
  t.criticality = Criticality::kCritical;
  t.finished = count;
  t.latency_ms.count = count;
  t.latency_ms.p50 = p99 / 2, t.latency_ms.p99 = p99, t.latency_ms.max = p99 * 1.2;
  return t;
}

SoakTaskWindow normal(std::uint64_t finished = 50) {
  SoakTaskWindow t;
  t.task = "classify";
  t.finished = finished;
  return t;
}

// `n` healthy 30-s windows: flat memory, steady p99, preemptions in each.
std::vector<SoakWindow> healthy(int n) {
  std::vector<SoakWindow> windows;
  for (int i = 0; i < n; ++i) {
    SoakWindow w;
    w.index = i;
    w.begin_s = 30.0 * i, w.end_s = 30.0 * (i + 1);
    w.tasks = {critical(2.0 + 0.01 * (i % 3)), normal()};
    w.counters.preemptions = 40, w.counters.resumes = 40, w.counters.requests_completed = 1050;
    w.device_used_bytes = 2000 * kMiB;
    w.host_rss_bytes = (i == 0 ? 300 : 400) * kMiB + (i % 2) * 64 * 1024;  // warm-up window lower
    windows.push_back(w);
  }
  return windows;
}

const CriterionResult& find(const SoakVerdict& v, const std::string& prefix) {
  for (const CriterionResult& c : v.criteria)
    if (c.name.rfind(prefix, 0) == 0) return c;
  FAIL("no criterion " << prefix);
  static CriterionResult none;
  return none;
}

}  // namespace

TEST_CASE("a healthy soak passes every criterion") {
  const SoakVerdict v = judge_soak(healthy(10), SoakCriteria{});
  for (const CriterionResult& c : v.criteria) CHECK_MESSAGE(c.passed, c.name << ": " << c.detail);
  CHECK(v.passed());
  CHECK(v.criteria.size() == 8);  // 7 general + one p99 criterion per critical task
}

TEST_CASE("a mismatch or a failed request fails the soak") {
  auto w = healthy(10);
  w[4].tasks[1].mismatches = 1;
  SoakVerdict v = judge_soak(w, SoakCriteria{});
  CHECK_FALSE(find(v, "outputs bitwise").passed);
  CHECK(find(v, "outputs bitwise").detail.find("1 mismatch") != std::string::npos);
  CHECK_FALSE(v.passed());

  w = healthy(10);
  w[0].tasks[0].failures = 2;  // in the warm-up window: still counts
  v = judge_soak(w, SoakCriteria{});
  CHECK_FALSE(find(v, "no failed request").passed);
  w = healthy(10);
  w[7].counters.launch_errors = 1;
  CHECK_FALSE(find(judge_soak(w, SoakCriteria{}), "no failed request").passed);
}

TEST_CASE("a watchdog message fails the deadlock criterion") {
  const SoakVerdict v = judge_soak(healthy(10), SoakCriteria{}, "deadlock suspected: no request finished for 10.1 s");
  CHECK_FALSE(find(v, "no deadlock").passed);
  CHECK(find(v, "no deadlock").detail.find("10.1 s") != std::string::npos);
  CHECK_FALSE(v.passed());
}

TEST_CASE("device memory: a leak fails, noise within 1 MiB passes") {
  auto w = healthy(10);
  for (int i = 1; i < 10; ++i) *w[i].device_used_bytes += static_cast<std::uint64_t>(i) * 2 * kMiB;  // 2 MiB/window
  CHECK_FALSE(find(judge_soak(w, SoakCriteria{}), "device memory flat").passed);

  w = healthy(10);
  *w.back().device_used_bytes += kMiB / 2;
  CHECK(find(judge_soak(w, SoakCriteria{}), "device memory flat").passed);
  // The warm-up window is not the baseline: growth during it is allowed.
  w = healthy(10);
  *w[0].device_used_bytes -= 100 * kMiB;
  CHECK(find(judge_soak(w, SoakCriteria{}), "device memory flat").passed);
  // A missing reading cannot pass.
  w = healthy(10);
  w[5].device_used_bytes.reset();
  CHECK_FALSE(find(judge_soak(w, SoakCriteria{}), "device memory flat").passed);
}

TEST_CASE("host RSS: a steady leak fails, a flat series with page noise passes") {
  auto w = healthy(21);
  CHECK(find(judge_soak(w, SoakCriteria{}), "host memory").passed);
  // 100 bytes per request at 1050 requests per window over 20 windows: 2 MiB, under the limit ...
  for (int i = 1; i < 21; ++i) *w[i].host_rss_bytes += static_cast<std::uint64_t>(i) * 1050 * 100;
  CHECK(find(judge_soak(w, SoakCriteria{}), "host memory").passed);
  // ... 1 KiB per request is 20 MiB: caught.
  w = healthy(21);
  for (int i = 1; i < 21; ++i) *w[i].host_rss_bytes += static_cast<std::uint64_t>(i) * 1050 * 1024;
  const CriterionResult c = find(judge_soak(w, SoakCriteria{}), "host memory");
  CHECK_FALSE(c.passed);
  CHECK(c.detail.find("KiB/min") != std::string::npos);
}

TEST_CASE("critical p99: one window far above the median fails, a drift fails, noise passes") {
  auto w = healthy(10);
  w[6].tasks[0] = critical(3.4);  // 1.7x the median of ~2.0
  CHECK_FALSE(find(judge_soak(w, SoakCriteria{}), "critical p99 stable").passed);

  w = healthy(10);
  w[6].tasks[0] = critical(2.8);  // 1.4x: within the spread
  CHECK(find(judge_soak(w, SoakCriteria{}), "critical p99 stable").passed);

  // A slow climb: no window is 1.5x the median (3.6 vs 2.88 ms), but the
  // second half is 1.32x the first (3.28 vs 2.48 ms).
  w = healthy(11);
  for (int i = 1; i < 11; ++i) w[i].tasks[0] = critical(2.0 * (1.0 + 0.08 * i));
  const CriterionResult c = find(judge_soak(w, SoakCriteria{}), "critical p99 stable");
  CHECK_FALSE(c.passed);
  CHECK(c.detail.find("second half") != std::string::npos);

  // Falling latency is not instability.
  w = healthy(11);
  for (int i = 1; i < 11; ++i) w[i].tasks[0] = critical(2.0 / (1.0 + 0.05 * i));
  CHECK(find(judge_soak(w, SoakCriteria{}), "critical p99 stable").passed);
}

TEST_CASE("the warm-up window does not count for p99 or memory") {
  auto w = healthy(6);
  w[0].tasks[0] = critical(50.0);  // cold start
  *w[0].host_rss_bytes = 10 * kMiB;
  CHECK(judge_soak(w, SoakCriteria{}).passed());
  SoakCriteria no_warmup;
  no_warmup.warmup_windows = 0;
  CHECK_FALSE(judge_soak(w, no_warmup).passed());
}

TEST_CASE("too little data cannot pass") {
  // One window: nothing to compare memory or p99 against.
  SoakVerdict v = judge_soak(healthy(2), SoakCriteria{});
  CHECK_FALSE(find(v, "device memory flat").passed);
  CHECK_FALSE(find(v, "critical p99 stable").passed);
  CHECK_FALSE(v.passed());
  // Windows with too few critical requests for a p99.
  auto w = healthy(6);
  for (SoakWindow& x : w) x.tasks[0] = critical(2.0, 40);
  CHECK(find(judge_soak(w, SoakCriteria{}), "critical p99 stable").detail.find("too few") != std::string::npos);
  CHECK_FALSE(judge_soak({}, SoakCriteria{}).passed());
}

TEST_CASE("starvation and missing preemption fail") {
  auto w = healthy(10);
  w[5].tasks[1].finished = 0;  // the normal task finished nothing in a window
  const CriterionResult c = find(judge_soak(w, SoakCriteria{}), "every task progresses");
  CHECK_FALSE(c.passed);
  CHECK(c.detail.find("classify in window 5") != std::string::npos);

  w = healthy(10);
  w[3].counters.preemptions = 0;
  CHECK_FALSE(find(judge_soak(w, SoakCriteria{}), "preemption in every window").passed);
  w = healthy(10);
  w[0].counters.preemptions = 0;  // warm-up: not judged
  CHECK(find(judge_soak(w, SoakCriteria{}), "preemption in every window").passed);
}

TEST_CASE("slope per minute") {
  CHECK(slope_per_minute({0, 30, 60, 90}, {10, 10, 10, 10}) == doctest::Approx(0));
  CHECK(slope_per_minute({0, 30, 60, 90}, {0, 5, 10, 15}) == doctest::Approx(10));  // 5 per 30 s
  CHECK(slope_per_minute({0}, {1}) == 0);
}

TEST_CASE("VmRSS from /proc/self/status text") {
  CHECK(vm_rss_bytes("Name:\tx\nVmPeak:\t  900 kB\nVmRSS:\t   12345 kB\nThreads: 3\n") == 12345ull * 1024);
  CHECK_FALSE(vm_rss_bytes("Name:\tx\n").has_value());
  CHECK_FALSE(vm_rss_bytes("VmRSS:\t lots\n").has_value());
  CHECK(current_vm_rss_bytes().value_or(0) > 0);  // this test process has resident memory
}

TEST_CASE("soak JSON and markdown carry every window and the verdict") {
  SoakReport r;
  r.workload = "soak_pair";
  r.card = "NVIDIA H100";
  r.commit = "abc1234";
  r.soak_seconds = 300, r.window_seconds = 30;
  r.windows = healthy(10);
  r.windows[3].tasks[0].mismatches = 2;
  r.verdict = judge_soak(r.windows, r.criteria);
  const nlohmann::json j = nlohmann::json::parse(soak_json(r));
  CHECK(j["windows"].size() == 10);
  CHECK(j["windows"][3]["tasks"][0]["mismatches"] == 2);
  CHECK(j["windows"][2]["coordinator"]["preemptions"] == 40);
  CHECK(j["windows"][2]["device_used_bytes"] == 2000 * kMiB);
  CHECK(j["verdict"]["passed"] == false);
  CHECK(j["verdict"]["criteria"].size() == r.verdict.criteria.size());
  const std::string md = soak_markdown(r);
  CHECK(md.find("FAILED") != std::string::npos);
  CHECK(md.find("| 0 (warm-up) |") != std::string::npos);
  CHECK(md.find("**FAIL**") != std::string::npos);
  const std::string line = soak_window_line(r.windows[3]);
  CHECK(line.find("MISMATCH 2") != std::string::npos);
  CHECK(line.find("preempt 40") != std::string::npos);
}
