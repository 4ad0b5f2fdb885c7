#include "schedule.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "init.h"

namespace miriam::check {

std::vector<SliceRange> even_slices(unsigned long long n, unsigned long long k) {
  std::vector<SliceRange> out;
  if (n == 0) return out;
  k = std::clamp<unsigned long long>(k, 1, n);
  const unsigned long long base = n / k, extra = n % k;
  unsigned long long begin = 0;
  for (unsigned long long i = 0; i < k; ++i) {
    const unsigned long long end = begin + base + (i < extra ? 1 : 0);
    out.push_back({begin, end});
    begin = end;
  }
  return out;
}

std::vector<SliceRange> fixed_size_slices(unsigned long long n, unsigned long long size) {
  std::vector<SliceRange> out;
  if (size == 0) size = 1;
  for (unsigned long long begin = 0; begin < n; begin += size) out.push_back({begin, std::min(n, begin + size)});
  return out;
}

void shuffle_slices(std::vector<SliceRange>& slices, Rng& rng) {
  if (slices.size() < 2) return;
  const std::vector<SliceRange> before = slices;
  for (std::size_t i = slices.size() - 1; i > 0; --i) std::swap(slices[i], slices[rng.below(i + 1)]);
  const bool identity = std::equal(slices.begin(), slices.end(), before.begin(),
                                   [](const SliceRange& a, const SliceRange& b) { return a.begin == b.begin; });
  if (identity) std::reverse(slices.begin(), slices.end());
}

bool covers_exactly_once(std::vector<SliceRange> slices, unsigned long long n) {
  std::sort(slices.begin(), slices.end(), [](const SliceRange& a, const SliceRange& b) { return a.begin < b.begin; });
  unsigned long long next = 0;
  for (const SliceRange& s : slices) {
    if (s.begin != next || s.end <= s.begin) return false;
    next = s.end;
  }
  return next == n;
}

std::vector<Schedule> standard_slice_schedules(unsigned long long n, bool order_independent, std::uint64_t seed) {
  std::vector<Schedule> ordered;
  std::set<std::size_t> counts;
  for (unsigned long long k : {1ull, 2ull, 3ull, 7ull}) {
    if (k > n || !counts.insert(k).second) continue;
    ordered.push_back({fmt::format("{} slice{}", k, k == 1 ? "" : "s"), even_slices(n, k), false, ""});
  }
  Schedule per_block{"per-block", {}, false, ""};
  if (n > kMaxPerBlockSlices) {
    const unsigned long long size = (n + kMaxPerBlockSlices - 1) / kMaxPerBlockSlices;
    per_block.slices = fixed_size_slices(n, size);
    per_block.note = fmt::format("grid of {} blocks: {} slices of {} blocks instead of one block per slice", n,
                                 per_block.slices.size(), size);
  } else {
    per_block.slices = fixed_size_slices(n, 1);
  }
  if (counts.insert(per_block.slices.size()).second) ordered.push_back(std::move(per_block));

  std::vector<Schedule> out;
  Rng rng(mix_seed(seed, n));
  for (const Schedule& s : ordered) {
    out.push_back(s);
    if (!order_independent || s.slices.size() < 2) continue;
    Schedule shuffled = s;
    shuffled.name += " shuffled";
    shuffled.shuffled = true;
    shuffle_slices(shuffled.slices, rng);
    out.push_back(std::move(shuffled));
  }
  return out;
}

}  // namespace miriam::check
