#include "LogicalGridRewrite.h"

#include "TemplateRenderer.h"
#include "miriam/Templates.inc"

namespace miriam {

std::string logical_grid_shadows(BuiltinReads reads) {
  std::string out;
  if (reads.block_idx) out += "    const uint3 blockIdx = __miriam_grid.block;\n";
  if (reads.grid_dim) out += "    const dim3 gridDim = __miriam_grid.grid;\n";
  if (out.empty()) out = "    (void)__miriam_grid;\n";
  return out;
}

namespace {

std::string logical_grid_callee_prologue(BuiltinReads reads) {
  return render_template(templates::kCalleePrologue, {{"shadows", logical_grid_shadows(reads)}});
}

}  // namespace

const CalleeCloneStyle& logical_grid_clone_style() {
  static const CalleeCloneStyle style{
      kLogicalGridCloneSuffix, "const ::miriam::LogicalGrid __miriam_grid", "__miriam_grid",
      "with blockIdx/gridDim taken from the logical grid of the elastic variant calling it",
      logical_grid_callee_prologue};
  return style;
}

PassResult emit_logical_grid_variant(const KernelInfo& kernel, const BuiltinRewritePlan& plan, CloneRequest request,
                                     const LogicalGridVariant& variant, EmitContext& emit) {
  return emit_elastic_variant(kernel, plan, std::move(request), variant, logical_grid_clone_style(), emit);
}

}  // namespace miriam
