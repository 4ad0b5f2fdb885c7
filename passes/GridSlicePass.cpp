#include "GridSlicePass.h"

#include <clang/AST/Decl.h>

#include "KernelText.h"
#include "LogicalGridRewrite.h"
#include "Naming.h"
#include "TemplateRenderer.h"
#include "miriam/Templates.inc"

namespace miriam {

namespace {

constexpr const char* kVariantSuffix = "__miriam_sliced";
constexpr const char* kHelperSuffix = "__miriam_launch_sliced";

PassRefusal refuse(std::string message, const KernelInfo& kernel) {
  return PassRefusal{{HazardRecord{Hazard::MacroDefinedFunction, std::move(message), kernel.location}}};
}

}  // namespace

PassResult GridSlicePass::run(const KernelInfo& kernel, EmitContext& emit) {
  BuiltinRewritePlan plan = emit.analysis().plan_builtin_rewrite(kernel, logical_grid_builtins());
  std::vector<HazardRecord> hazards = kernel.hazards;
  hazards.insert(hazards.end(), plan.hazards.begin(), plan.hazards.end());
  // A block that waits for another block deadlocks when the other one is in
  // a later slice (slices of one stream run one after the other).
  std::vector<HazardRecord> spins = emit.analysis().spin_wait_hazards(kernel);
  hazards.insert(hazards.end(), spins.begin(), spins.end());
  if (!hazards.empty()) return PassRefusal{std::move(hazards)};

  std::optional<KernelSignatureText> signature = kernel_signature_text(kernel.pattern, emit.ast());
  if (!signature)
    return refuse("the signature of '" + kernel.qualified_name + "' is not plain text of the file (macro)", kernel);

  std::string error;
  if (!emit_logical_grid_callees(plan, emit, kind(), error)) return refuse(error, kernel);

  CloneRequest request;
  request.new_name = kernel.name + kVariantSuffix;
  request.leading_param = "const ::miriam::Slice __miriam_slice";
  request.prologue = render_template(templates::kSlicedPrologue, {{"shadows", logical_grid_shadows(plan.kernel_reads)}});
  request.redirects = logical_grid_redirects(plan, kernel.pattern);
  request.origin = kind();
  std::optional<std::string> clone = emit.cloner().clone(kernel.pattern, request, error);
  if (!clone) return refuse(error, kernel);

  std::string helper = render_template(
      templates::kSliceLaunchHelper,
      {{"kernel", kernel.qualified_name},
       {"template_header", signature->template_header},
       {"linkage", kernel.internal_linkage && !kernel.is_template ? "static " : ""},
       {"helper", kernel.name + kHelperSuffix},
       {"params", signature->params},
       {"variant", kernel.name + kVariantSuffix},
       {"explicit_args", signature->explicit_args},
       {"args", signature->args}});

  std::string block = "// miriam: sliced variant of '" + kernel.qualified_name +
                      "': runs logical blocks [slice.begin, slice.end) of the original grid\n" +
                      emit.cloner().line_directive_for_decl(kernel.pattern) + *clone + "\n" + helper;
  if (!emit.insert_after(kernel.pattern, block, kind(), error)) return refuse(error, kernel);

  VariantRecord variant;
  variant.kind = kind();
  std::string scope = kernel.qualified_name.substr(0, kernel.qualified_name.size() - kernel.name.size());
  variant.entry = scope + kernel.name + kVariantSuffix;
  variant.entry_ref = "::" + variant.entry;
  variant.launch_helper = scope + kernel.name + kHelperSuffix;
  variant.extra_params.push_back({"__miriam_slice", "miriam::Slice", 0});
  return variant;
}

}  // namespace miriam
