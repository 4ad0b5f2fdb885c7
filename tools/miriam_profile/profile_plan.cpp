#include "profile_plan.h"

#include <algorithm>

namespace miriam::profile_tool {

std::vector<std::uint64_t> shard_sizes(std::uint64_t grid_blocks, int sm_count, std::uint64_t resident) {
  std::vector<std::uint64_t> sizes;
  if (grid_blocks == 0 || resident == 0) return sizes;  // no block of it fits an SM: nothing to time
  const std::uint64_t sms = static_cast<std::uint64_t>(std::max(sm_count, 1));
  const std::uint64_t wave = resident;
  for (std::uint64_t s : {std::uint64_t{1}, sms, wave / 2, wave}) sizes.push_back(s);
  for (std::uint64_t s = 2 * wave; s < grid_blocks; s *= 2) sizes.push_back(s);
  sizes.push_back(grid_blocks);
  sizes.erase(std::remove_if(sizes.begin(), sizes.end(), [&](std::uint64_t s) { return s == 0 || s > grid_blocks; }),
              sizes.end());
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

void add_entry(Profile& profile, const ProfileEntry& entry) {
  for (ProfileEntry& e : profile.entries) {
    if (e.mangled != entry.mangled || e.variant != entry.variant || e.shared_bytes != entry.shared_bytes ||
        !std::equal(std::begin(e.block), std::end(e.block), std::begin(entry.block)))
      continue;
    std::vector<ShardTimingPoint> points = e.timing.points();
    for (const ShardTimingPoint& p : entry.timing.points())
      if (std::none_of(points.begin(), points.end(),
                       [&](const ShardTimingPoint& q) { return q.shard_blocks == p.shard_blocks; }))
        points.push_back(p);
    e.timing = ShardTiming(std::move(points));
    return;
  }
  profile.entries.push_back(entry);
}

}  // namespace miriam::profile_tool
