// GPU test of rewritten launch sites: the host program of
// test_kernels/launch_sites/, built from `miriamc --rewrite-launches` output,
// runs without a task (plain CUDA) and then under each policy with a current
// task, alone and from two threads at once. Outputs must be bitwise equal to
// the plain run and to a CPU reference where one is cheap, ordering with the
// caller's stream must hold, an invalid launch must report CUDA's own error,
// and every rewritten launch must have gone through the coordinator.
//   ./launch_sites_gpu_test        (exit 77 without a GPU)
#include <cstdio>
#include <string>
#include <thread>

#include <unistd.h>

#include "launch_sites.h"
#include "miriam/coordinator.h"
#include "miriam/cuda_introspector.h"
#include "miriam/launch.h"
#include "../gpu/gpu_test_start.h"

namespace {

int failures = 0;
#define EXPECT(cond, ...)                                         \
  do {                                                            \
    if (!(cond)) {                                                \
      std::printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      std::printf(__VA_ARGS__);                                   \
      std::printf("\n");                                          \
      ++failures;                                                 \
    }                                                             \
  } while (0)

constexpr int kN = 1 << 16;

std::string exe_dir() {
  char path[4096];
  const ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (len <= 0) return ".";
  path[len] = '\0';
  std::string s(path);
  return s.substr(0, s.rfind('/'));
}

// What the launches compute into `filled` and `ordered`, written out by hand.
void check_reference(const LaunchSitesResult& r, const char* what) {
  bool filled_ok = r.filled.size() == static_cast<size_t>(kN);
  // fill: 1000 + 3*i + int(2.75f); use_pair: + 4 + int(2.5f); with_default: + 5
  for (int i = 0; filled_ok && i < kN; ++i) filled_ok = r.filled[i] == 1000 + 3 * i + 2 + 6 + 5;
  EXPECT(filled_ok, "%s: fill/use_pair/with_default results (argument conversions)", what);
  bool ordered_ok = r.ordered.size() == 64;
  for (int i = 0; ordered_ok && i < 64; ++i) ordered_ok = r.ordered[i] == 100 + i + 1;
  EXPECT(ordered_ok, "%s: slow_add_one ran after the caller's slow_write and before the copy (got %d)", what,
         r.ordered.empty() ? -1 : r.ordered[0]);
  EXPECT(r.error == cudaSuccess, "%s: CUDA error %s", what, cudaGetErrorString(r.error));
}

void expect_same(const LaunchSitesResult& got, const LaunchSitesResult& plain, const char* what) {
  EXPECT(got.scaled == plain.scaled, "%s: float results differ from the plain run", what);
  EXPECT(got.filled == plain.filled, "%s: int results differ from the plain run", what);
  EXPECT(got.axpy_out == plain.axpy_out, "%s: double results differ from the plain run", what);
  EXPECT(got.ordered == plain.ordered, "%s: ordered results differ from the plain run", what);
  EXPECT(got.bad_launch_error == plain.bad_launch_error, "%s: cudaGetLastError() after the invalid launch: %s, "
         "plain CUDA: %s", what, cudaGetErrorString(got.bad_launch_error),
         cudaGetErrorString(plain.bad_launch_error));
  check_reference(got, what);
}

unsigned coordinated_per_run(const LaunchSitesResult& r) { return r.launches - r.direct_sites - r.rejected; }

void run_policy(miriam::PolicyKind kind, const miriam::KernelCatalog& catalog, const LaunchSitesResult& plain) {
  using namespace miriam;
  const std::string name = to_string(kind);
  CoordinatorConfig config;
  config.policy = kind;
  Coordinator coord(config, &catalog);
  EXPECT(coord.initialize() == Status::kSuccess, "%s: initialize", name.c_str());
  TaskId critical = 0, normal = 0;
  coord.add_task(TaskDesc{"critical", Criticality::kCritical, 0, std::nullopt}, &critical);
  coord.add_task(TaskDesc{"normal", Criticality::kNormal, 0, std::nullopt}, &normal);

  const LaunchCounters before = launch_counters();
  LaunchSitesResult alone;
  {
    TaskScope scope(coord, normal);
    EXPECT(current_task().coordinator == &coord && current_task().task == normal, "%s: scope binds", name.c_str());
    {
      TaskScope inner(coord, critical);  // nesting: the inner scope wins, then the outer one is back
      EXPECT(current_task().task == critical, "%s: inner scope binds", name.c_str());
    }
    EXPECT(current_task().task == normal, "%s: outer scope restored", name.c_str());
    alone = run_launch_sites(kN, false);
  }
  EXPECT(current_task().coordinator == nullptr, "%s: no task after the scope", name.c_str());
  expect_same(alone, plain, (name + ", normal task").c_str());

  // Two threads at once: critical on the legacy default stream, normal on its own stream.
  LaunchSitesResult on_default, concurrent;
  std::thread critical_thread([&] {
    TaskScope scope(coord, critical);
    on_default = run_launch_sites(kN, true);
  });
  std::thread normal_thread([&] {
    TaskScope scope(coord, normal);
    concurrent = run_launch_sites(kN, false);
  });
  critical_thread.join();
  normal_thread.join();
  expect_same(on_default, plain, (name + ", critical task, default stream, concurrent").c_str());
  expect_same(concurrent, plain, (name + ", normal task, concurrent").c_str());

  coord.synchronize();
  const LaunchCounters after = launch_counters();
  const CoordinatorStats stats = coord.stats();
  const unsigned expected = 3 * coordinated_per_run(plain);
  EXPECT(after.coordinated - before.coordinated == expected, "%s: %llu launches coordinated, expected %u",
         name.c_str(), static_cast<unsigned long long>(after.coordinated - before.coordinated), expected);
  EXPECT(stats.launches_submitted == expected, "%s: coordinator saw %llu launches, expected %u", name.c_str(),
         static_cast<unsigned long long>(stats.launches_submitted), expected);
  EXPECT(after.direct_fallback - before.direct_fallback == 3 * plain.rejected,
         "%s: invalid launches go directly to CUDA (%llu)", name.c_str(),
         static_cast<unsigned long long>(after.direct_fallback - before.direct_fallback));
  EXPECT(after.failed == before.failed, "%s: no coordinated launch failed", name.c_str());
  EXPECT(after.direct_unbound == before.direct_unbound, "%s: no launch bypassed the task", name.c_str());
  std::printf("%s: %llu coordinated launches (%llu whole, %llu shards), results equal to plain CUDA\n",
              name.c_str(), static_cast<unsigned long long>(stats.launches_submitted),
              static_cast<unsigned long long>(stats.kernels_issued),
              static_cast<unsigned long long>(stats.shards_issued));
}

}  // namespace

int main() {
  if (gpu_test_start() == 0) return 77;  // ctest: skipped
  miriam::KernelCatalog catalog;
  miriam::CudaIntrospector introspector;
  try {
    catalog.load(exe_dir() + "/launch_sites.miriam.json", miriam::registry(), &introspector);
  } catch (const std::exception& e) {
    std::printf("FAIL loading the manifest: %s\n", e.what());
    return 1;
  }

  const miriam::LaunchCounters before = miriam::launch_counters();
  const LaunchSitesResult plain = run_launch_sites(kN, false);
  const miriam::LaunchCounters after = miriam::launch_counters();
  check_reference(plain, "plain CUDA");
  EXPECT(plain.bad_launch_error != cudaSuccess, "the invalid launch fails in plain CUDA");
  EXPECT(after.direct_unbound - before.direct_unbound == plain.launches - plain.direct_sites,
         "without a task every rewritten launch goes straight to CUDA (%llu)",
         static_cast<unsigned long long>(after.direct_unbound - before.direct_unbound));
  EXPECT(after.coordinated == before.coordinated, "nothing coordinated without a task");

  for (miriam::PolicyKind kind : {miriam::PolicyKind::kSequential, miriam::PolicyKind::kMultistream,
                                  miriam::PolicyKind::kPriority, miriam::PolicyKind::kIb,
                                  miriam::PolicyKind::kMiriam})
    run_policy(kind, catalog, plain);
  std::printf(failures ? "%d FAILURES\n" : "all passed\n", failures);
  return failures ? 1 : 0;
}
