// Overhead timing: original and variant launches interleaved on one stream,
// CUDA events around each launch, medians compared.
#pragma once

#include <cuda_runtime.h>

#include <functional>
#include <vector>

#include "report.h"

namespace miriam::check {

using Enqueue = std::function<void(cudaStream_t)>;  // enqueues one launch; throws CudaError

// `warmup` untimed pairs, then `runs` timed pairs (original, variant, ...).
// Launches are enqueued behind a kernel that holds the stream (batches of 16
// pairs), so event times hold GPU time only, not host launch latency; the
// stream is synchronized once at the end.
TimingResult time_interleaved(const Enqueue& original, const Enqueue& variant, unsigned warmup, unsigned runs,
                              cudaStream_t stream);

}  // namespace miriam::check
