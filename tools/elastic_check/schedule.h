// Schedules: how a variant covers the logical grid [0, N) in slices, and in
// which order the slices are launched. Plain C++, unit-tested on the CPU.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace miriam::check {

class Rng;

struct SliceRange {
  unsigned long long begin = 0;
  unsigned long long end = 0;  // exclusive
};

struct Schedule {
  std::string name;                // "3 slices", "per-block shuffled", ...
  std::vector<SliceRange> slices;  // in launch order
  bool shuffled = false;
  std::string note;                // e.g. why per-block was coarsened
  unsigned factor = 0;             // shrunk variants: logical threads per physical thread
  unsigned chunk = 1;              // persistent variants: logical blocks per claim
  bool static_first_chunk = false; // persistent variants: first chunk without an atomic
  bool persistent_loop = false;    // persistent variants: keep the loop where the sliced variant would run the launch
};

// Cap on slices of the "per-block" schedule; larger grids get equal slices
// of ceil(N / kMaxPerBlockSlices) blocks.
constexpr unsigned long long kMaxPerBlockSlices = 20000;

// `k` near-equal contiguous slices of [0, n) in order (k clamped to [1, n]);
// the first n % k slices hold one block more.
std::vector<SliceRange> even_slices(unsigned long long n, unsigned long long k);
// Slices of `size` blocks (the last may be shorter).
std::vector<SliceRange> fixed_size_slices(unsigned long long n, unsigned long long size);
// Fisher-Yates; for two or more slices the result never equals the input
// order (an identity draw is reversed).
void shuffle_slices(std::vector<SliceRange>& slices, Rng& rng);
// True when the slices, in any order, cover [0, n) exactly once, none empty.
bool covers_exactly_once(std::vector<SliceRange> slices, unsigned long long n);

// 1, 2, 3, 7 slices and one block per slice (deduplicated, k <= n), plus a
// shuffled copy of each multi-slice schedule when `order_independent`.
std::vector<Schedule> standard_slice_schedules(unsigned long long n, bool order_independent, std::uint64_t seed);

}  // namespace miriam::check
