// Shared by the passes whose variants run logical blocks of the original grid
// (slicing, persistent threads): blockIdx and gridDim must read logical
// values in the kernel and in every __device__ function it reaches.
#pragma once

#include <string>
#include <vector>

#include "VariantEmitter.h"

namespace miriam {

// Suffix of the device-function clones that take a ::miriam::LogicalGrid.
inline constexpr const char* kLogicalGridCloneSuffix = "__miriam_lg";

// The builtins a logical-grid variant answers.
inline BuiltinReads logical_grid_builtins() { return BuiltinReads{true, true, false, false}; }

// Local declarations, one per builtin read, that shadow the builtins with the
// values of the `__miriam_grid` local or parameter.
std::string logical_grid_shadows(BuiltinReads reads);

// Device functions reading blockIdx/gridDim take the logical grid first.
const CalleeCloneStyle& logical_grid_clone_style();

using LogicalGridVariant = ElasticVariant;

// emit_elastic_variant with the logical-grid callee clones.
PassResult emit_logical_grid_variant(const KernelInfo& kernel, const BuiltinRewritePlan& plan, CloneRequest request,
                                     const LogicalGridVariant& variant, EmitContext& emit);

}  // namespace miriam
