#include "GridSlicePass.h"

#include <clang/AST/Decl.h>

#include "LogicalGridRewrite.h"
#include "TemplateRenderer.h"
#include "miriam/Templates.inc"

namespace miriam {

PassResult GridSlicePass::run(const KernelInfo& kernel, EmitContext& emit) {
  BuiltinRewritePlan plan = emit.analysis().plan_builtin_rewrite(kernel, logical_grid_builtins());
  std::vector<HazardRecord> hazards = kernel.hazards;
  hazards.insert(hazards.end(), plan.hazards.begin(), plan.hazards.end());
  // A block that waits for another block deadlocks when the other one is in
  // a later slice (slices of one stream run one after the other).
  std::vector<HazardRecord> spins = emit.analysis().spin_wait_hazards(kernel);
  hazards.insert(hazards.end(), spins.begin(), spins.end());
  if (!hazards.empty()) return PassRefusal{std::move(hazards)};

  CloneRequest request;
  request.leading_param = "const ::miriam::Slice __miriam_slice";
  request.prologue = render_template(templates::kSlicedPrologue, {{"shadows", logical_grid_shadows(plan.kernel_reads)}});
  return emit_logical_grid_variant(
      kernel, plan, std::move(request),
      {kind(), "__miriam_sliced", kSlicedHelperSuffix, templates::kSliceLaunchHelper,
       "runs logical blocks [slice.begin, slice.end) of the original grid", {{"__miriam_slice", "miriam::Slice", 0}}},
      emit);
}

}  // namespace miriam
