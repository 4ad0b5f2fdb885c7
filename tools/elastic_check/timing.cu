#include "timing.h"

#include "cuda_check.h"
#include "hold_stream.cuh"
#include "stats.h"

namespace miriam::check {
namespace {

constexpr unsigned kPairsPerBatch = 16;
constexpr unsigned long long kHoldNs = 2'000'000;  // far more than enqueueing a batch takes

class Events {
 public:
  explicit Events(std::size_t n) {
    events_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      cudaEvent_t e;
      MIRIAM_CUDA(cudaEventCreate(&e));
      events_.push_back(e);
    }
  }
  ~Events() {
    for (cudaEvent_t e : events_) cudaEventDestroy(e);
  }
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;
  cudaEvent_t operator[](std::size_t i) const { return events_[i]; }

 private:
  std::vector<cudaEvent_t> events_;
};

}  // namespace

TimingResult time_interleaved(const Enqueue& original, const Enqueue& variant, unsigned warmup, unsigned runs,
                              cudaStream_t stream) {
  for (unsigned i = 0; i < warmup; ++i) {
    original(stream);
    variant(stream);
  }
  MIRIAM_CUDA(cudaStreamSynchronize(stream));

  // Events 4i..4i+3: original start/stop, variant start/stop of pair i.
  Events events(4 * static_cast<std::size_t>(runs));
  for (unsigned i = 0; i < runs; ++i) {
    if (i % kPairsPerBatch == 0) {
      hold_stream<<<1, 1, 0, stream>>>(kHoldNs);
      MIRIAM_CHECK_LAUNCH("hold_stream");
    }
    MIRIAM_CUDA(cudaEventRecord(events[4 * i + 0], stream));
    original(stream);
    MIRIAM_CUDA(cudaEventRecord(events[4 * i + 1], stream));
    MIRIAM_CUDA(cudaEventRecord(events[4 * i + 2], stream));
    variant(stream);
    MIRIAM_CUDA(cudaEventRecord(events[4 * i + 3], stream));
  }
  MIRIAM_CUDA(cudaStreamSynchronize(stream));

  std::vector<double> orig_us, var_us;
  for (unsigned i = 0; i < runs; ++i) {
    float ms = 0;
    MIRIAM_CUDA(cudaEventElapsedTime(&ms, events[4 * i + 0], events[4 * i + 1]));
    orig_us.push_back(ms * 1000.0);
    MIRIAM_CUDA(cudaEventElapsedTime(&ms, events[4 * i + 2], events[4 * i + 3]));
    var_us.push_back(ms * 1000.0);
  }
  TimingResult t;
  t.warmup = warmup;
  t.runs = runs;
  t.median_original_us = median(orig_us);
  t.median_variant_us = median(var_us);
  t.overhead_percent = t.median_original_us > 0 ? (t.median_variant_us / t.median_original_us - 1.0) * 100.0 : 0;
  t.min_original_us = percentile(orig_us, 0);
  t.min_variant_us = percentile(var_us, 0);
  t.p90_original_us = percentile(orig_us, 90);
  t.p90_variant_us = percentile(var_us, 90);
  return t;
}

}  // namespace miriam::check
