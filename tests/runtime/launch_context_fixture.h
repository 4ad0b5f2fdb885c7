// The normal launch the policy tests decide on: 20000 logical blocks of
// `kernel`, with the variants asked for, optionally beside one running
// critical kernel of the same footprint (`critical_blocks` of its blocks).
#pragma once

#include <cstdint>

#include "miriam/policy.h"

inline miriam::LaunchContext normal_launch_of(const miriam::KernelFootprint& kernel, bool sliced, bool persistent,
                                              bool critical_in_flight, std::uint64_t critical_blocks) {
  miriam::LaunchContext c;
  c.criticality = miriam::Criticality::kNormal;
  c.footprint = kernel;
  if (sliced) c.sliced_footprint = kernel;
  if (persistent) c.persistent_footprint = kernel;
  c.blocks_remaining = 20000;
  c.critical_in_flight = critical_in_flight;
  if (critical_blocks) c.critical_running.push_back(miriam::KernelLoad{kernel, critical_blocks});
  return c;
}
