// How a shrunk variant runs the f logical threads ("slots") of each physical
// thread through a kernel body (the approach of compiling CUDA for CPUs):
//
// - The body is cut at its __syncthreads() statements into regions. Each
//   region becomes a loop over the slots, so every logical thread runs the
//   region before the (physical) barrier that follows it. A kernel without
//   barriers is one region.
// - Barriers are accepted at the top level of the body, in nested plain
//   blocks, and in `for` loops whose header is the same for every thread of
//   the block (uniform: built from parameters that are never assigned,
//   blockIdx/gridDim/blockDim, constants and other uniform values). Uniform
//   declarations between regions stay outside the slot loops ("skeleton"),
//   where the loop headers can read them.
// - A local whose value crosses a region boundary gets one copy per slot
//   (::miriam::ShrunkSlots declared at the top); in each region that uses
//   it, the name is a reference to the current slot's copy.
// - `return` in the last region of the body continues with the next slot;
//   anything else that cannot be proven equivalent is a hazard.
#pragma once

#include <string>
#include <vector>

#include "Analysis.h"
#include "CloneBuilder.h"

namespace clang {
class ASTContext;
}  // namespace clang

namespace miriam {

// Names the emitted code uses for the slot machinery.
inline constexpr const char* kSlotIndex = "__miriam_s";
inline constexpr const char* kPhysicalThread = "__miriam_physical_thread";
inline constexpr const char* kShrinkParam = "__miriam_shrink";

struct SlotPlan {
  std::vector<HazardRecord> hazards;   // non-empty: refuse
  std::vector<CloneTextEdit> edits;    // slot loops, per-slot bindings, rewritten returns
  std::string prologue;                // per-slot storage and parameter copies, after the shadows
  unsigned regions = 0;
  unsigned barriers = 0;
  unsigned per_slot_values = 0;        // locals kept per slot across barriers
};

// Plans the slot loops of `kernel`'s body. `plan` is the threadIdx/blockDim
// rewrite plan (its redirected calls are thread-varying).
SlotPlan plan_slot_regions(const KernelInfo& kernel, const BuiltinRewritePlan& plan,
                           TranslationUnitAnalysis& analysis);

}  // namespace miriam
