#pragma once

namespace miriam::bench {

// Host stub of synthetic_layer(const float* in, float* out, unsigned n,
// unsigned work, unsigned layer); blocks of kSyntheticThreads threads.
const void* synthetic_layer_kernel();
inline constexpr unsigned kSyntheticThreads = 256;

}  // namespace miriam::bench
