// The one emitter of elastic variants, shared by every pass: clones of the
// __device__ functions that read the builtins a variant answers logically
// (taking the logical values as a leading parameter), the kernel clone, its
// launch helper and the manifest record.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "Analysis.h"
#include "CloneBuilder.h"
#include "EmitContext.h"
#include "Pass.h"
#include "TemplateRenderer.h"

namespace miriam {

// How the device functions a variant reaches are cloned: one style per set
// of builtins answered logically (logical grid, logical thread).
struct CalleeCloneStyle {
  const char* suffix;          // "__miriam_lg": f -> f__miriam_lg
  const char* leading_param;   // "const ::miriam::LogicalGrid __miriam_grid"
  const char* leading_arg;     // what a call in a clone passes: "__miriam_grid"
  const char* comment;         // above each clone, after "'f' "
  std::string (*prologue)(BuiltinReads reads);  // shadows of the builtins the callee reads
};

// Clones every device function of `plan` (once per translation unit and
// style). False with `error` set if a clone could not be built.
bool emit_callee_clones(const BuiltinRewritePlan& plan, const CalleeCloneStyle& style, EmitContext& emit,
                        const std::string& origin, std::string& error);

// The redirects of the calls in `owner`'s body to the clones of `style`.
std::vector<CallRedirect> callee_redirects(const BuiltinRewritePlan& plan, const clang::FunctionDecl* owner,
                                           const CalleeCloneStyle& style);

// What distinguishes one variant kind from another.
struct ElasticVariant {
  const char* kind;              // "sliced", "persistent", "shrunk"
  const char* variant_suffix;    // "__miriam_sliced"
  const char* helper_suffix;     // "__miriam_launch_sliced"
  const char* helper_template;   // templates::kSliceLaunchHelper, ...
  std::string summary;           // the comment above the clone, after "<kind> variant of 'k'"
  std::vector<ExtraParam> extra_params;
  TemplateValues helper_values = {};  // placeholders of the helper template beyond the common ones
};

// Emits a variant whose hazards were already checked: the device callee
// clones, the kernel clone described by `request` (name, redirects and origin
// are filled in here), its launch helper; returns the manifest record.
PassResult emit_elastic_variant(const KernelInfo& kernel, const BuiltinRewritePlan& plan, CloneRequest request,
                                const ElasticVariant& variant, const CalleeCloneStyle& style, EmitContext& emit);

}  // namespace miriam
