// What miriam_profile measures and how results merge into a profile file;
// plain C++, so it is unit-tested without a GPU.
#pragma once

#include <cstdint>
#include <vector>

#include "miriam/profile.h"

namespace miriam::profile_tool {

// Shard sizes (logical blocks) to time for a launch of `grid_blocks` whose
// variant keeps `resident` blocks on a GPU of `sm_count` SMs: one block (a
// logical block's duration), one per SM, half and whole waves, then doubling
// waves up to the whole grid. Sorted, unique, within [1, grid_blocks];
// empty when no block fits (resident == 0).
std::vector<std::uint64_t> shard_sizes(std::uint64_t grid_blocks, int sm_count, std::uint64_t resident);

// Adds `entry`, merging its points into an existing entry of the same kernel,
// variant, block shape and dynamic shared memory (a point of a size already
// there is kept, not duplicated): launches of one kernel repeat shapes.
void add_entry(Profile& profile, const ProfileEntry& entry);

}  // namespace miriam::profile_tool
