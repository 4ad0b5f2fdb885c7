#include "LogicalGridRewrite.h"

#include <clang/AST/Decl.h>
#include <clang/AST/DeclTemplate.h>

#include "KernelText.h"
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

std::vector<CallRedirect> logical_grid_redirects(const BuiltinRewritePlan& plan, const clang::FunctionDecl* owner) {
  std::vector<CallRedirect> redirects;
  auto it = plan.redirected_calls.find(owner);
  if (it == plan.redirected_calls.end()) return redirects;
  for (const CallSite& site : it->second)
    redirects.push_back({site, site.callee->getNameAsString() + kLogicalGridCloneSuffix, "__miriam_grid"});
  return redirects;
}

bool emit_logical_grid_callees(const BuiltinRewritePlan& plan, EmitContext& emit, const std::string& origin,
                               std::string& error) {
  for (const auto& [callee, reads] : plan.cloned_functions) {
    if (!emit.claim_clone(callee, kLogicalGridCloneSuffix)) continue;
    CloneRequest request;
    request.new_name = callee->getNameAsString() + kLogicalGridCloneSuffix;
    request.leading_param = "const ::miriam::LogicalGrid __miriam_grid";
    request.prologue = render_template(templates::kCalleePrologue, {{"shadows", logical_grid_shadows(reads)}});
    request.redirects = logical_grid_redirects(plan, callee);
    request.origin = origin;
    // Every declaration gets a cloned twin right after it, so a clone is
    // declared wherever the original is (prototypes before their callers).
    std::vector<const clang::FunctionDecl*> declarations;
    if (const clang::FunctionTemplateDecl* tmpl = callee->getDescribedFunctionTemplate()) {
      for (const clang::RedeclarableTemplateDecl* redecl : tmpl->redecls())
        declarations.push_back(llvm::cast<clang::FunctionTemplateDecl>(redecl)->getTemplatedDecl());
    } else {
      for (const clang::FunctionDecl* redecl : callee->redecls()) declarations.push_back(redecl);
    }
    for (const clang::FunctionDecl* decl : declarations) {
      std::optional<std::string> text = emit.cloner().clone(decl, request, error);
      if (!text) return false;
      std::string block = "// miriam: '" + callee->getNameAsString() +
                          "' with blockIdx/gridDim taken from the logical grid of the elastic variant calling it\n" +
                          emit.cloner().line_directive_for_decl(decl) + *text + "\n";
      if (!emit.insert_after(decl, block, origin, error)) return false;
    }
  }
  return true;
}

namespace {

PassRefusal refuse(std::string message, const KernelInfo& kernel) {
  return PassRefusal{{HazardRecord{Hazard::MacroDefinedFunction, std::move(message), kernel.location}}};
}

}  // namespace

PassResult emit_logical_grid_variant(const KernelInfo& kernel, const BuiltinRewritePlan& plan, CloneRequest request,
                                     const LogicalGridVariant& variant, EmitContext& emit) {
  std::optional<KernelSignatureText> signature = kernel_signature_text(kernel.pattern, emit.ast());
  if (!signature)
    return refuse("the signature of '" + kernel.qualified_name + "' is not plain text of the file (macro)", kernel);

  std::string error;
  if (!emit_logical_grid_callees(plan, emit, variant.kind, error)) return refuse(error, kernel);

  request.new_name = kernel.name + variant.variant_suffix;
  request.redirects = logical_grid_redirects(plan, kernel.pattern);
  request.origin = variant.kind;
  std::optional<std::string> clone = emit.cloner().clone(kernel.pattern, request, error);
  if (!clone) return refuse(error, kernel);

  std::string helper = render_template(
      variant.helper_template,
      {{"kernel", kernel.qualified_name},
       {"template_header", signature->template_header},
       {"linkage", kernel.internal_linkage && !kernel.is_template ? "static " : ""},
       {"helper", kernel.name + variant.helper_suffix},
       {"params", signature->params},
       {"variant", kernel.name + variant.variant_suffix},
       {"explicit_args", signature->explicit_args},
       {"args", signature->args}});
  std::string block = "// miriam: " + std::string(variant.kind) + " variant of '" + kernel.qualified_name +
                      "': " + variant.summary + "\n" + emit.cloner().line_directive_for_decl(kernel.pattern) +
                      *clone + "\n" + helper;
  if (!emit.insert_after(kernel.pattern, block, variant.kind, error)) return refuse(error, kernel);

  VariantRecord record;
  record.kind = variant.kind;
  std::string scope = kernel.qualified_name.substr(0, kernel.qualified_name.size() - kernel.name.size());
  record.entry = scope + kernel.name + variant.variant_suffix;
  record.entry_ref = "::" + record.entry;
  record.launch_helper = scope + kernel.name + variant.helper_suffix;
  record.extra_params = variant.extra_params;
  return record;
}

}  // namespace miriam
