// Shared by the passes whose variants run logical blocks of the original grid
// (slicing, persistent threads): blockIdx and gridDim must read logical
// values in the kernel and in every __device__ function it reaches.
#pragma once

#include <string>
#include <vector>

#include "Analysis.h"
#include "CloneBuilder.h"
#include "EmitContext.h"
#include "Pass.h"

namespace miriam {

// Suffix of the device-function clones that take a ::miriam::LogicalGrid.
inline constexpr const char* kLogicalGridCloneSuffix = "__miriam_lg";

// The builtins a logical-grid variant answers.
inline BuiltinReads logical_grid_builtins() { return BuiltinReads{true, true, false, false}; }

// Local declarations, one per builtin read, that shadow the builtins with the
// values of the `__miriam_grid` local or parameter.
std::string logical_grid_shadows(BuiltinReads reads);

// Clones every device function of `plan` (once per translation unit) and
// returns the redirects for the calls in the kernel's own body.
// False with `error` set if a clone could not be built.
bool emit_logical_grid_callees(const BuiltinRewritePlan& plan, EmitContext& emit, const std::string& origin,
                               std::string& error);

std::vector<CallRedirect> logical_grid_redirects(const BuiltinRewritePlan& plan, const clang::FunctionDecl* owner);

// What distinguishes one logical-grid variant from another.
struct LogicalGridVariant {
  const char* kind;              // "sliced", "persistent"
  const char* variant_suffix;    // "__miriam_sliced"
  const char* helper_suffix;     // "__miriam_launch_sliced"
  const char* helper_template;   // templates::kSliceLaunchHelper, ...
  std::string summary;           // the comment above the clone, after "<kind> variant of 'k'"
  std::vector<ExtraParam> extra_params;
};

// Emits a variant whose hazards were already checked: the device callee
// clones, the kernel clone described by `request` (name, redirects and origin
// are filled in here), its launch helper; returns the manifest record.
PassResult emit_logical_grid_variant(const KernelInfo& kernel, const BuiltinRewritePlan& plan, CloneRequest request,
                                     const LogicalGridVariant& variant, EmitContext& emit);

}  // namespace miriam
