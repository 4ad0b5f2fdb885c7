// The "persistent" variant: k__miriam_persistent(PersistentControl*, Slice,
// <original params>) launched with P blocks (1D) that claim the logical blocks
// [begin, end) one by one and stop at a logical-block boundary when the
// control block's stop word is set.
//
// Schedules: one uninterrupted launch with P = 1, #SMs, 2 x #SMs and more
// blocks than the logical grid; then "preempt/resume": stop requests at random
// moments (host clock, after the launch has reached the GPU), each followed by
// a resume launch from the reported progress with a randomly chosen P, at
// least 20 cycles, including a stop requested before a launch starts and one
// after the kernel has finished; and "back-to-back": the grid as three
// ranges launched one after another on one control block without any reset
// or host sync between them. Each of these for every claim mode (logical
// blocks per claim C = 1, 4, 16, and C from a 20-us claim budget as the
// coordinator would size it; with and without a static first chunk).
// Every schedule must give bitwise the original's result: no logical block
// skipped, none run twice. Launches go out as the coordinator sends them:
// one that needs no loop (PersistentLaunch::one_block_each) runs the original
// kernel when it covers the whole grid, the sliced variant otherwise, so the
// schedules check those paths too. (The emitted helper does the same for
// launches without dynamic shared memory.)
#include <algorithm>
#include <chrono>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "cuda_check.h"
#include "init.h"
#include "miriam/elastic.cuh"
#include "miriam/persistent_planner.h"
#include "stats.h"
#include "variant_runner.h"

namespace miriam::check {
namespace {

using Clock = std::chrono::steady_clock;

constexpr unsigned kMinCycles = 20;
constexpr unsigned kMaxCycles = 400;
constexpr unsigned kLatencySamples = 30;

// How physical blocks claim logical blocks (PersistentLaunch::chunk and
// static_first_chunk), and whether a launch that needs no loop
// (PersistentLaunch::one_block_each) may run without it, by the original
// kernel or the sliced variant, as the launch helper and the coordinator do;
// `loop` keeps the loop, to time its cost. `chunk` is C, or one of these:
constexpr unsigned kEvenChunk = 0;              // "even": the C <= 16 the planner's even_claim_chunk picks
constexpr unsigned kBudgetChunk = 0xFFFFFFFFu;  // "budget": C within kBudgetUs of the original's block time
struct ClaimMode {
  unsigned chunk;
  bool static_first_chunk;
  bool loop = false;
  std::string suffix() const {
    if (chunk == 1 && !static_first_chunk) return "";
    const std::string c = chunk == kEvenChunk    ? std::string("even")
                          : chunk == kBudgetChunk ? std::string("budget")
                                                  : std::to_string(chunk);
    return " C=" + c + (static_first_chunk ? " static" : "") + (loop ? " loop" : "");
  }
};
// Timed as "the" overhead: the coordinator's default (C = 1, static first
// chunk), launched as the coordinator launches it.
constexpr ClaimMode kDefaultMode = {1, true};
// "budget": what the coordinator runs with a claim budget
// (PersistentPlannerConfig::claim_budget_us, off by default, 20 us here): C
// from the original's time per logical block.
constexpr double kBudgetUs = 20;
constexpr ClaimMode kBudgetMode = {kBudgetChunk, true};
constexpr ClaimMode kClaimModes[] = {{1, false}, {4, false}, {16, false},  {1, true},
                                     {4, true},  {16, true}, kBudgetMode, {kBudgetChunk, false}};
// The preemption latency is measured without static chunks: a stop may then
// land before any logical block.
constexpr ClaimMode kLatencyMode = {1, false};
// Timed too, and checked with one whole-grid launch: even chunks of at most 16.
constexpr ClaimMode kEvenMode = {kEvenChunk, true};
// Timed: the default mode with the loop kept where the launch needs none.
constexpr ClaimMode kDefaultLoopMode = {1, true, true};
constexpr unsigned kEvenMaxChunk = 16;

ClaimMode mode_of(const Schedule& s) { return ClaimMode{s.chunk, s.static_first_chunk, s.persistent_loop}; }

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

void spin_host_us(double us) {
  const auto until = Clock::now() + std::chrono::duration<double, std::micro>(us);
  while (Clock::now() < until) {
  }
}

// Waits (host) until the stream has reached `started`: the launch behind it is
// being dispatched now, so a stop request from here on is "while it runs".
void wait_reached(cudaEvent_t started) {
  while (true) {
    const cudaError_t e = cudaEventQuery(started);
    if (e == cudaSuccess) return;
    if (e != cudaErrorNotReady) MIRIAM_CUDA(e);
  }
}

struct Owned {
  ::miriam::PersistentControlBlock control{};
  cudaStream_t stop_stream = nullptr;  // the stop copy goes on a stream of its own
  cudaEvent_t started = nullptr, exited = nullptr, requested = nullptr;
  Owned() {
    MIRIAM_CUDA(::miriam::persistent_control_create(&control));
    MIRIAM_CUDA(cudaStreamCreateWithFlags(&stop_stream, cudaStreamNonBlocking));
    MIRIAM_CUDA(cudaEventCreate(&started));
    MIRIAM_CUDA(cudaEventCreate(&exited));
    MIRIAM_CUDA(cudaEventCreate(&requested));
  }
  ~Owned() {
    cudaEventDestroy(started);
    cudaEventDestroy(exited);
    cudaEventDestroy(requested);
    cudaStreamDestroy(stop_stream);
    ::miriam::persistent_control_destroy(&control);
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
};

class PersistentRunner final : public VariantRunner {
 public:
  PersistentRunner(const KernelLaunch& launch, const ::miriam::VariantSymbol& variant)
      : launch_(launch), variant_(variant), owned_(std::make_unique<Owned>()) {
    allow_dynamic_shared(variant_.host_stub, launch_.dynamic_shared_bytes);
    if (const ::miriam::VariantSymbol* sliced = launch_.symbol->variant("sliced")) {
      sliced_stub_ = sliced->host_stub;
      allow_dynamic_shared(sliced_stub_, launch_.dynamic_shared_bytes);
    }
    int device = 0;
    MIRIAM_CUDA(cudaGetDevice(&device));
    MIRIAM_CUDA(cudaDeviceGetAttribute(&sms_, cudaDevAttrMultiProcessorCount, device));
    const unsigned threads = launch_.block.x * launch_.block.y * launch_.block.z;
    int per_sm = 0;
    MIRIAM_CUDA(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, variant_.host_stub, static_cast<int>(threads),
                                                              launch_.dynamic_shared_bytes));
    resident_ = static_cast<unsigned>(std::max(1, per_sm * sms_));
  }

  const char* name() const override { return "persistent"; }

  std::vector<Schedule> schedules() const override {
    const unsigned long long n = launch_.block_count();
    const unsigned sms = static_cast<unsigned>(sms_);
    std::vector<Schedule> out;
    for (const ClaimMode& mode : kClaimModes) {
      const std::string suffix = mode.suffix();
      for (unsigned p : {1u, sms, 2 * sms, static_cast<unsigned>(std::min<unsigned long long>(n + 7, 1u << 20))})
        out.push_back(with_mode(Schedule{fmt::format("P={}", p) + suffix, {{0, n}}, false,
                                         p > n ? "more physical blocks than logical blocks" : ""},
                                mode));
      out.push_back(with_mode(Schedule{"back-to-back" + suffix, {{0, n}}, false,
                                       "the grid as 3 ranges launched back to back on one control block, no host "
                                       "sync or reset between them (P = #SMs/2, 1, 2 x #SMs)"},
                              mode));
      out.push_back(with_mode(
          Schedule{"preempt/resume" + suffix, {{0, n}}, false,
                   fmt::format("stop/resume cycles at random moments (>= {} without a static first chunk), P drawn "
                               "from {{1, {}, {}, {}}}",
                               kMinCycles, std::max(1u, sms / 2), sms, 2 * sms)},
          mode));
    }
    out.push_back(timed(kEvenMode));
    return out;
  }

  Schedule timing_schedule() const override { return timed(kDefaultMode); }

  // The other claim modes, timed the same way: the lead picks C from these.
  std::vector<Schedule> extra_timing_schedules() const override {
    std::vector<Schedule> out;
    for (const ClaimMode& mode : kClaimModes)
      if (mode.chunk != kDefaultMode.chunk || mode.static_first_chunk != kDefaultMode.static_first_chunk)
        out.push_back(timed(mode));
    out.push_back(timed(kEvenMode));
    out.push_back(timed(kDefaultLoopMode));
    return out;
  }

  // The original's time per logical block on its slot (the wave time), from
  // which the budget mode's C follows, as the coordinator's planner sizes C
  // from its learned block time.
  void calibrate(ArgPack& args, cudaStream_t stream) override {
    std::vector<double> us;
    for (int i = 0; i < 13; ++i) {
      MIRIAM_CUDA(cudaEventRecord(owned_->started, stream));
      launch_.launch_original(args, stream);
      MIRIAM_CUDA(cudaEventRecord(owned_->exited, stream));
      MIRIAM_CUDA(cudaEventSynchronize(owned_->exited));
      float ms = 0;
      MIRIAM_CUDA(cudaEventElapsedTime(&ms, owned_->started, owned_->exited));
      if (i >= 3) us.push_back(ms * 1000.0);  // the first launches warm up
    }
    const unsigned long long n = launch_.block_count();
    block_us_ = median(us) * static_cast<double>(std::min<unsigned long long>(resident_, n)) / static_cast<double>(n);
  }

  void run(const Schedule& schedule, ArgPack& args, cudaStream_t stream) const override {
    // Only after a stop request: a memset in every timed run would be timed too.
    if (stop_may_be_set_) clear_stop(stream);
    const ClaimMode mode = mode_of(schedule);
    if (starts_with(schedule.name, "preempt/resume")) return preempt_resume(args, stream, mode);
    if (starts_with(schedule.name, "back-to-back")) return back_to_back(args, stream, mode);
    const unsigned p = static_cast<unsigned>(std::stoul(schedule.name.substr(2)));  // "P=<p>[ C=...]"
    enqueue(range(0, p, mode), args, stream, mode.loop);
  }

  std::optional<PreemptionResult> measure_preemption(ArgPack& args, cudaStream_t stream) const override {
    PreemptionResult r = last_cycles_;
    const unsigned long long n = launch_.block_count();
    r.physical_blocks = static_cast<unsigned>(std::min<unsigned long long>(resident_, n));
    r.chunk = chunk_for(kLatencyMode, n, r.physical_blocks);  // 1
    // The unpreempted duration with the same P.
    std::vector<double> full;
    for (int i = 0; i < 5; ++i) full.push_back(timed_launch(args, stream, -1.0, r.physical_blocks).first);
    r.full_kernel_us = median(full);
    r.logical_block_us = r.full_kernel_us * static_cast<double>(r.physical_blocks) / static_cast<double>(n);
    // Stop requests at uniform random moments of the kernel's run.
    Rng rng(mix_seed(launch_.seed, 0x5eed));
    std::vector<double> latencies;
    for (unsigned i = 0; i < kLatencySamples; ++i) {
      const double delay = r.full_kernel_us * static_cast<double>(rng.below(1000)) / 1000.0;
      const auto [exit_us, latency_us] = timed_launch(args, stream, delay, r.physical_blocks);
      (void)exit_us;
      ++r.requests;
      if (latency_us >= 0) {
        ++r.stopped_early;
        latencies.push_back(latency_us);
      }
    }
    r.median_latency_us = median(latencies);
    r.p90_latency_us = percentile(latencies, 90);
    r.max_latency_us = percentile(latencies, 100);
    clear_stop(stream);
    MIRIAM_CUDA(cudaStreamSynchronize(stream));
    return r;
  }

 private:
  static Schedule with_mode(Schedule s, const ClaimMode& mode) {
    s.chunk = mode.chunk;
    s.static_first_chunk = mode.static_first_chunk;
    s.persistent_loop = mode.loop;
    return s;
  }

  Schedule timed(const ClaimMode& mode) const {
    const unsigned p = static_cast<unsigned>(std::min<unsigned long long>(resident_, launch_.block_count()));
    return with_mode(Schedule{fmt::format("P={}", p) + mode.suffix(), {{0, launch_.block_count()}}, false,
                              "all resident blocks"},
                     mode);
  }

  unsigned chunk_for(const ClaimMode& mode, unsigned long long blocks, unsigned p) const {
    if (mode.chunk == kEvenChunk) return ::miriam::even_claim_chunk(blocks, p, kEvenMaxChunk);
    if (mode.chunk != kBudgetChunk) return mode.chunk;
    if (!(block_us_ > 0)) throw std::logic_error("persistent runner: budget mode before calibrate()");
    return ::miriam::budget_claim_chunk(blocks, p, kBudgetUs, block_us_);
  }

  ::miriam::PersistentLaunch range(unsigned long long begin, unsigned p, const ClaimMode& mode) const {
    ::miriam::PersistentLaunch l;
    l.chunk = chunk_for(mode, launch_.block_count() - begin, p);
    l.static_first_chunk = mode.static_first_chunk;
    l.grid = launch_.grid;
    l.block = launch_.block;
    l.shared_bytes = launch_.dynamic_shared_bytes;
    l.begin = begin;
    l.end = launch_.block_count();
    l.physical_blocks = p;
    l.control = owned_->control.device;
    return l;
  }

  // What the coordinator does, through the host stubs: a launch that needs no
  // loop goes to the original kernel when it covers the whole grid, else to
  // the sliced variant (unless `loop`). Both variants' shared memory limits
  // are raised here, as the coordinator raises them.
  void enqueue(::miriam::PersistentLaunch l, ArgPack& args, cudaStream_t stream, bool loop = false) const {
    l.stream = stream;
    if (!l.valid()) throw std::logic_error("persistent runner: invalid launch");
    MIRIAM_CUDA(::miriam::persistent_prepare_launch(l));
    if (!loop && l.one_block_each() && l.whole_grid()) return launch_.launch_original(args, stream);
    if (!loop && sliced_stub_ && l.one_block_each())
      return launch_slice(sliced_stub_, l.slice_launch(), args, "persistent launch run by the sliced variant");
    ::miriam::PersistentControl* control = l.control;
    ::miriam::Slice slice = l.slice();  // with the claim mode
    std::vector<void*> params = args.with_prefix({&control, &slice});
    MIRIAM_CUDA(cudaLaunchKernel(variant_.host_stub, l.physical_grid(), l.block, params.data(), l.shared_bytes,
                                 stream));
    MIRIAM_CHECK_LAUNCH("persistent variant launch");
  }

  void clear_stop(cudaStream_t stream) const {
    MIRIAM_CUDA(::miriam::persistent_clear_stop(owned_->control, stream));
    stop_may_be_set_ = false;
  }

  void request_stop() const {
    stop_may_be_set_ = true;
    MIRIAM_CUDA(cudaEventRecord(owned_->requested, owned_->stop_stream));
    MIRIAM_CUDA(::miriam::persistent_request_preemption(owned_->control, owned_->stop_stream));
  }

  // Progress of `l` after it exited (synchronizes the stream).
  unsigned long long progress(const ::miriam::PersistentLaunch& l, cudaStream_t stream) const {
    MIRIAM_CUDA(::miriam::persistent_query_progress(owned_->control, stream));
    MIRIAM_CUDA(cudaStreamSynchronize(stream));
    MIRIAM_CUDA(cudaStreamSynchronize(owned_->stop_stream));
    return ::miriam::persistent_progress(l, *owned_->control.host_claimed);
  }

  [[noreturn]] static void broken(const std::string& what) {
    throw CudaError(cudaErrorUnknown, "persistent runner: " + what);
  }

  // One launch of [0, N) with P blocks; with delay_us >= 0, a stop request
  // that long after the launch reached the GPU. Returns the launch's duration
  // and the request-to-exit latency (-1 when the kernel had already finished).
  // Leaves the outputs of a partial run behind: timing only.
  std::pair<double, double> timed_launch(ArgPack& args, cudaStream_t stream, double delay_us, unsigned p) const {
    clear_stop(stream);
    MIRIAM_CUDA(cudaStreamSynchronize(stream));
    const ::miriam::PersistentLaunch l = range(0, p, kLatencyMode);
    MIRIAM_CUDA(cudaEventRecord(owned_->started, stream));
    enqueue(l, args, stream);
    MIRIAM_CUDA(cudaEventRecord(owned_->exited, stream));
    if (delay_us >= 0) {
      wait_reached(owned_->started);
      spin_host_us(delay_us);
      request_stop();
    }
    const unsigned long long done = progress(l, stream);
    float ms = 0;
    MIRIAM_CUDA(cudaEventElapsedTime(&ms, owned_->started, owned_->exited));
    double latency = -1;
    if (delay_us >= 0 && done < l.end) {
      float req_ms = 0;
      MIRIAM_CUDA(cudaEventElapsedTime(&req_ms, owned_->requested, owned_->exited));
      latency = std::max(0.0f, req_ms) * 1000.0;
    }
    return {ms * 1000.0, latency};
  }

  // The grid as three ranges, enqueued back to back on one control block with
  // no host synchronization and nothing between the launches: each launch must
  // find the claim word reset by the previous one's last block (a stale
  // counter would skip logical blocks, which the bitwise check catches).
  void back_to_back(ArgPack& args, cudaStream_t stream, const ClaimMode& mode) const {
    const unsigned long long n = launch_.block_count();
    const unsigned sms = static_cast<unsigned>(sms_);
    const unsigned long long cuts[] = {0, n / 3, 2 * n / 3, n};
    const unsigned choices[] = {std::max(1u, sms / 2), 1u, 2 * sms};
    ::miriam::PersistentLaunch last;
    for (int i = 0; i < 3; ++i) {
      if (cuts[i] == cuts[i + 1]) continue;  // grids of fewer than 3 blocks
      last = range(cuts[i], choices[i], mode);
      last.end = cuts[i + 1];
      enqueue(last, args, stream);
    }
    const unsigned long long done = progress(last, stream);
    if (done != n) broken(fmt::format("back-to-back launches: the last one reported progress {} of {}", done, n));
  }

  // Stop at random moments and resume from the progress until the grid is
  // done; checks on the host that progress never goes back, that a stop
  // requested before a launch runs nothing (with a static first chunk:
  // exactly the static chunks) and that one after it finished changes nothing.
  void preempt_resume(ArgPack& args, cudaStream_t stream, const ClaimMode& mode) const {
    const unsigned long long n = launch_.block_count();
    const unsigned sms = static_cast<unsigned>(sms_);
    const unsigned choices[] = {1u, std::max(1u, sms / 2), sms, 2 * sms};
    Rng rng(mix_seed(launch_.seed, 0x9e37));
    PreemptionResult stats;
    unsigned long long done = 0;
    // Host-side delays start small and adapt so that the grid takes many cycles.
    double max_delay_us = 20.0;

    // A stop requested before the launch: nothing may run, or with a static
    // first chunk exactly the P*C logical blocks of the static chunks.
    auto stop_before_start = [&] {
      request_stop();
      MIRIAM_CUDA(cudaStreamSynchronize(owned_->stop_stream));
      const auto l = range(done, choices[rng.below(4)], mode);
      enqueue(l, args, stream);
      const unsigned long long expected =
          mode.static_first_chunk
              ? std::min<unsigned long long>(n, done + static_cast<unsigned long long>(l.physical_blocks) * l.chunk)
              : done;
      const unsigned long long now = progress(l, stream);
      if (now != expected)
        broken(fmt::format("a launch stopped before it started reported progress {} from {} (expected {})", now,
                           done, expected));
      done = now;
      ++stats.cycles_before_start;
      ++stats.cycles;
    };
    // 1. (The stop stream is not ordered with `stream`: let run()'s clear land first.)
    MIRIAM_CUDA(cudaStreamSynchronize(stream));
    stop_before_start();
    // 2. Stops at random moments, resumed from the progress.
    while (done < n && stats.cycles < kMaxCycles) {
      const bool need_more = stats.cycles + 2 < kMinCycles;
      const unsigned long long remaining = n - done;
      // Keep a few cycles for small grids: a stop before the start makes no
      // progress, so the grid is not finished before the 20 cycles are.
      if (need_more && remaining <= 1 && !mode.static_first_chunk) {
        stop_before_start();
        clear_stop(stream);
        MIRIAM_CUDA(cudaStreamSynchronize(stream));  // before the next request on the stop stream
        continue;
      }
      clear_stop(stream);
      const auto l = range(done, choices[rng.below(4)], mode);
      MIRIAM_CUDA(cudaEventRecord(owned_->started, stream));
      enqueue(l, args, stream);
      const bool stop_mid_run = need_more || rng.below(8) != 0;
      if (stop_mid_run) {
        wait_reached(owned_->started);
        spin_host_us(max_delay_us * static_cast<double>(rng.below(1001)) / 1000.0);
        request_stop();
      }
      const unsigned long long now = progress(l, stream);
      if (now < done || now > n) broken(fmt::format("progress went from {} to {}", done, now));
      if (now == n && stop_mid_run) {
        ++stats.cycles_after_finish;  // the request came too late: the kernel had finished
        max_delay_us = std::max(1.0, max_delay_us / 2);
      } else if (now == done) {
        ++stats.cycles_no_progress;
        max_delay_us *= 1.5;
      } else {
        ++stats.cycles_mid_run;
        if (need_more && now - done > remaining / 4) max_delay_us = std::max(1.0, max_delay_us / 2);
      }
      ++stats.cycles;
      done = now;
    }
    if (done != n) broken(fmt::format("gave up after {} cycles at logical block {} of {}", stats.cycles, done, n));
    // 3. A stop requested after the kernel finished: nothing changes.
    request_stop();
    MIRIAM_CUDA(cudaStreamSynchronize(owned_->stop_stream));
    MIRIAM_CUDA(::miriam::persistent_query_progress(owned_->control, stream));
    MIRIAM_CUDA(cudaStreamSynchronize(stream));
    ++stats.cycles_after_finish;
    ++stats.cycles;
    clear_stop(stream);
    // The cycles reported with the preemption latency: the default mode's.
    if (mode.chunk == kLatencyMode.chunk && mode.static_first_chunk == kLatencyMode.static_first_chunk)
      last_cycles_ = stats;
  }

  KernelLaunch launch_;
  double block_us_ = 0;  // calibrate(): the original's time per logical block on its slot
  ::miriam::VariantSymbol variant_;
  const void* sliced_stub_ = nullptr;  // the kernel's sliced variant, if it has one
  std::unique_ptr<Owned> owned_;
  int sms_ = 1;
  unsigned resident_ = 1;
  mutable PreemptionResult last_cycles_;
  mutable bool stop_may_be_set_ = true;  // unknown until cleared once
};

}  // namespace

std::unique_ptr<VariantRunner> make_persistent_runner(const KernelLaunch& launch,
                                                      const ::miriam::VariantSymbol& variant) {
  return std::make_unique<PersistentRunner>(launch, variant);
}

}  // namespace miriam::check
