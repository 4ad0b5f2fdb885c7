#include "VariantEmitter.h"

#include <clang/AST/Decl.h>
#include <clang/AST/DeclTemplate.h>

#include "KernelText.h"

namespace miriam {

std::vector<CallRedirect> callee_redirects(const BuiltinRewritePlan& plan, const clang::FunctionDecl* owner,
                                           const CalleeCloneStyle& style) {
  std::vector<CallRedirect> redirects;
  auto it = plan.redirected_calls.find(owner);
  if (it == plan.redirected_calls.end()) return redirects;
  for (const CallSite& site : it->second)
    redirects.push_back({site, site.callee->getNameAsString() + style.suffix, style.leading_arg});
  return redirects;
}

bool emit_callee_clones(const BuiltinRewritePlan& plan, const CalleeCloneStyle& style, EmitContext& emit,
                        const std::string& origin, std::string& error) {
  for (const auto& [callee, reads] : plan.cloned_functions) {
    if (!emit.claim_clone(callee, style.suffix)) continue;
    CloneRequest request;
    request.new_name = callee->getNameAsString() + style.suffix;
    request.leading_param = style.leading_param;
    request.prologue = style.prologue(reads);
    request.redirects = callee_redirects(plan, callee, style);
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
      std::string block = "// miriam: '" + callee->getNameAsString() + "' " + style.comment + "\n" +
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

PassResult emit_elastic_variant(const KernelInfo& kernel, const BuiltinRewritePlan& plan, CloneRequest request,
                                const ElasticVariant& variant, const CalleeCloneStyle& style, EmitContext& emit) {
  std::optional<KernelSignatureText> signature = kernel_signature_text(kernel.pattern, emit.ast());
  if (!signature)
    return refuse("the signature of '" + kernel.qualified_name + "' is not plain text of the file (macro)", kernel);

  std::string error;
  if (!emit_callee_clones(plan, style, emit, variant.kind, error)) return refuse(error, kernel);

  request.new_name = kernel.name + variant.variant_suffix;
  request.redirects = callee_redirects(plan, kernel.pattern, style);
  request.origin = variant.kind;
  std::optional<std::string> clone = emit.cloner().clone(kernel.pattern, request, error);
  if (!clone) return refuse(error, kernel);

  TemplateValues values = {{"kernel", kernel.qualified_name},
                           {"template_header", signature->template_header},
                           {"linkage", kernel.internal_linkage && !kernel.is_template ? "static " : ""},
                           {"helper", kernel.name + variant.helper_suffix},
                           {"params", signature->params},
                           {"variant", kernel.name + variant.variant_suffix},
                           {"explicit_args", signature->explicit_args},
                           {"args", signature->args},
                           // the arguments alone, for a call of the original: "a, b" where {{args}} is ", a, b"
                           {"call_args", signature->args.empty() ? std::string() : signature->args.substr(2)}};
  // A pass's own values may name the common placeholders ({{args}}, ...) and its other values.
  TemplateValues all = values;
  all.insert(variant.helper_values.begin(), variant.helper_values.end());
  for (const auto& [name, text] : variant.helper_values) values[name] = render_template(text, all);
  std::string helper = render_template(variant.helper_template, values);
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
