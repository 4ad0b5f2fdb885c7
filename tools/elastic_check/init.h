// Host images of a launch's buffers before the kernel runs: random inputs
// drawn from (seed, launch, run, buffer), zeros, or poison (0xFF bytes), each
// followed by a guard zone that catches writes past the end of the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "spec.h"

namespace miriam::check {

constexpr std::size_t kGuardBytes = 256;
constexpr unsigned char kGuardByte = 0xA5;
constexpr unsigned char kPoisonByte = 0xFF;

using HostImage = std::vector<unsigned char>;  // buffer bytes + guard zone

// Deterministic 64-bit generator (splitmix64): same seed, same stream on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // In [0, n), n > 0 (modulo bias is irrelevant here).
  std::uint64_t below(std::uint64_t n) { return next() % n; }

 private:
  std::uint64_t state_;
};

// Mixes values into one seed (order matters).
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);
std::uint64_t hash_string(const char* s, std::size_t n);

// The initial images of every buffer of `spec` for equivalence run `run`,
// each followed by `guard_bytes` guard bytes. Guard zones sit inside the
// allocation, so compute-sanitizer memcheck cannot see accesses into them:
// sanitizer runs use 0, so that every access past a buffer is out of bounds.
std::vector<HostImage> make_initial_images(const LaunchSpec& spec, std::uint64_t seed, unsigned run,
                                           std::size_t guard_bytes = kGuardBytes);

}  // namespace miriam::check
