#include "Analysis.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Mangle.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>

#include "Naming.h"

namespace miriam {

using namespace clang;

namespace {

// Kernels written in the user's file, templates as their patterns.
class KernelFinder : public RecursiveASTVisitor<KernelFinder> {
 public:
  explicit KernelFinder(const SourceManager& sm) : sm_(sm) {}
  bool shouldVisitTemplateInstantiations() const { return false; }

  bool VisitFunctionDecl(FunctionDecl* fn) {
    if (!fn->hasAttr<CUDAGlobalAttr>() || !fn->isThisDeclarationADefinition()) return true;
    if (!sm_.isInMainFile(sm_.getExpansionLoc(fn->getLocation()))) return true;
    TemplateSpecializationKind kind = fn->getTemplateSpecializationKind();
    if (kind == TSK_ImplicitInstantiation || kind == TSK_ExplicitInstantiationDefinition ||
        kind == TSK_ExplicitInstantiationDeclaration)
      return true;
    if (kind == TSK_ExplicitSpecialization) {
      explicit_specializations.push_back(fn);
      return true;
    }
    kernels.push_back(fn);
    return true;
  }

  std::vector<const FunctionDecl*> kernels;
  std::vector<const FunctionDecl*> explicit_specializations;

 private:
  const SourceManager& sm_;
};

bool wants_name(BuiltinReads which, const std::string& name) {
  return (name == "blockIdx" && which.block_idx) || (name == "gridDim" && which.grid_dim) ||
         (name == "threadIdx" && which.thread_idx) || (name == "blockDim" && which.block_dim);
}

std::string names_of(BuiltinReads r) {
  std::string out;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!out.empty()) out += "/";
    out += name;
  };
  add(r.block_idx, "blockIdx");
  add(r.grid_dim, "gridDim");
  add(r.thread_idx, "threadIdx");
  add(r.block_dim, "blockDim");
  return out;
}

// A lambda written inside `owner` is cloned with owner's text and sees its
// shadowing locals through its captures: its call operator needs no clone.
bool is_lambda_written_inside(const FunctionDecl* callee, const FunctionDecl* owner, const SourceManager& sm) {
  const auto* method = dyn_cast<CXXMethodDecl>(callee);
  if (!method || !method->getParent()->isLambda()) return false;
  for (const DeclContext* ctx = method->getParent()->getLexicalDeclContext(); ctx; ctx = ctx->getLexicalParent())
    if (const auto* fn = dyn_cast<FunctionDecl>(ctx))
      if (function_key(fn, sm) == owner) return true;
  return false;
}

bool spelled_in_macro_body(SourceLocation loc, const SourceManager& sm, const LangOptions& lang) {
  if (loc.isFileID()) return false;
  return Lexer::makeFileCharRange(CharSourceRange::getTokenRange(loc), sm, lang).isInvalid();
}

std::optional<long long> evaluate_int(const Expr* expr, ASTContext& ctx) {
  if (!expr || expr->isValueDependent()) return std::nullopt;
  Expr::EvalResult result;
  if (!expr->EvaluateAsInt(result, ctx)) return std::nullopt;
  return result.Val.getInt().getExtValue();
}

}  // namespace

TranslationUnitAnalysis::TranslationUnitAnalysis(ASTContext& ctx)
    : ctx_(ctx), mangler_(ctx.createMangleContext()) {
  discover_kernels();
}

TranslationUnitAnalysis::~TranslationUnitAnalysis() = default;

const FunctionFacts& TranslationUnitAnalysis::facts(const FunctionDecl* key) {
  auto it = facts_.find(key);
  if (it == facts_.end())
    it = facts_.emplace(key, std::make_unique<FunctionFacts>(scan_function(key, ctx_))).first;
  return *it->second;
}

HazardRecord TranslationUnitAnalysis::hazard(Hazard kind, std::string message, SourceLocation where) {
  return HazardRecord{kind, std::move(message), position_of(where, ctx_.getSourceManager()), where};
}

void TranslationUnitAnalysis::discover_kernels() {
  KernelFinder finder(ctx_.getSourceManager());
  finder.TraverseDecl(ctx_.getTranslationUnitDecl());
  for (const FunctionDecl* fn : finder.kernels) kernels_.push_back(describe_kernel(fn));
  for (const FunctionDecl* spec : finder.explicit_specializations) {
    const FunctionTemplateDecl* primary = spec->getPrimaryTemplate();
    for (KernelInfo& kernel : kernels_)
      if (primary && kernel.template_decl == primary)
        kernel.hazards.push_back(hazard(Hazard::ExplicitSpecialization,
                                        "kernel template '" + kernel.qualified_name +
                                            "' has an explicit specialization with its own body (" +
                                            template_args_of(spec, ctx_) + "), which no clone would follow",
                                        spec->getLocation()));
  }
}

std::vector<const FunctionDecl*> TranslationUnitAnalysis::reachable_from(const FunctionDecl* key) {
  std::vector<const FunctionDecl*> order{key};
  std::set<const FunctionDecl*> seen{key};
  for (size_t i = 0; i < order.size(); ++i) {
    const FunctionFacts& f = facts(order[i]);
    for (const CallSite& call : f.calls)
      if (call.callee && seen.insert(call.callee).second) order.push_back(call.callee);
    // A function whose address is taken may be called through the pointer.
    for (const auto& [target, loc] : f.address_taken)
      if (target && seen.insert(target).second) order.push_back(target);
  }
  return order;
}

KernelInfo TranslationUnitAnalysis::describe_kernel(const FunctionDecl* fn) {
  const SourceManager& sm = ctx_.getSourceManager();
  KernelInfo kernel;
  kernel.pattern = fn;
  kernel.template_decl = fn->getDescribedFunctionTemplate();
  kernel.is_template = kernel.template_decl != nullptr;
  kernel.name = fn->getNameAsString();
  kernel.qualified_name = qualified_name(fn);
  kernel.qualified_ref = qualified_ref(fn);
  kernel.location = position_of(fn->getLocation(), sm);
  kernel.internal_linkage = !fn->isExternallyVisible();
  kernel.params = param_infos(fn, ctx_);

  auto add_instantiation = [&](const FunctionDecl* decl) {
    InstantiationInfo inst;
    inst.decl = decl;
    inst.mangled = mangled_name(decl, *mangler_);
    inst.template_args = template_args_of(decl, ctx_);
    inst.qualified_ref = kernel.qualified_ref + template_args_ref(decl, ctx_);
    inst.params = param_infos(decl, ctx_);
    inst.static_shared_bytes = static_shared_bytes_of(decl, ctx_);
    kernel.instantiations.push_back(std::move(inst));
  };
  if (kernel.template_decl) {
    for (const FunctionDecl* spec : kernel.template_decl->specializations())
      if (spec->getTemplateSpecializationKind() != TSK_ExplicitSpecialization &&
          spec->getTemplateSpecializationKind() != TSK_ExplicitInstantiationDeclaration)
        add_instantiation(spec);
  } else {
    add_instantiation(fn);
  }

  if (const auto* bounds = fn->getAttr<CUDALaunchBoundsAttr>()) {
    kernel.has_launch_bounds = true;
    kernel.max_threads_per_block = evaluate_int(bounds->getMaxThreads(), ctx_);
    kernel.min_blocks_per_sm = evaluate_int(bounds->getMinBlocks(), ctx_);
  }

  // Features of the kernel and everything it reaches.
  const FunctionFacts& own = facts(fn);
  KernelFeatures& features = kernel.features;
  features.reads = own.reads;
  features.dynamic_shared_memory = own.dynamic_shared_memory;
  features.static_shared_memory = own.static_shared_memory;
  features.early_return = own.returns.size() > (own.ends_with_return ? 1u : 0u);
  std::vector<const FunctionDecl*> reachable = reachable_from(fn);
  for (const FunctionDecl* key : reachable) {
    const FunctionFacts& f = facts(key);
    features.barriers |= f.barriers;
    features.warp_level_ops |= f.warp_level_ops;
    features.atomics |= f.atomics;
    features.cooperative_groups |= f.cooperative_groups;
    features.grid_sync |= !f.grid_syncs.empty();
    if (key != fn && f.in_main_file) {
      features.dynamic_shared_memory |= f.dynamic_shared_memory;
      features.static_shared_memory |= f.static_shared_memory;
    }
  }
  BuiltinReads all{true, true, true, true};
  BuiltinRewritePlan plan = plan_builtin_rewrite(kernel, all);
  for (const auto& [callee, reads] : plan.cloned_functions)
    features.device_callees_reading_builtins.push_back(qualified_name(callee));
  return kernel;
}

std::vector<HazardRecord> TranslationUnitAnalysis::spin_wait_hazards(const KernelInfo& kernel) {
  std::vector<HazardRecord> out;
  for (const FunctionDecl* key : reachable_from(kernel.pattern))
    for (SourceLocation loc : facts(key).spin_waits)
      out.push_back(hazard(Hazard::SpinWaitOnGlobal,
                           "a loop in '" + qualified_name(key) +
                               "' spin-waits on a volatile/atomic location that another block writes; it assumes "
                               "the blocks of the grid are resident at the same time",
                           loc));
  return out;
}

BuiltinRewritePlan TranslationUnitAnalysis::plan_builtin_rewrite(const KernelInfo& kernel, BuiltinReads which) {
  const SourceManager& sm = ctx_.getSourceManager();
  const LangOptions& lang = ctx_.getLangOpts();
  BuiltinRewritePlan plan;
  const FunctionDecl* root = kernel.pattern;
  std::vector<const FunctionDecl*> reachable = reachable_from(root);

  // Which reachable functions read the chosen builtins, directly or through
  // callees: a fixpoint, since device code may recurse.
  std::map<const FunctionDecl*, BuiltinReads> reads;
  for (const FunctionDecl* key : reachable) reads[key] = facts(key).reads & which;
  for (bool changed = true; changed;) {
    changed = false;
    for (const FunctionDecl* key : reachable) {
      BuiltinReads& mine = reads[key];
      for (const CallSite& call : facts(key).calls) {
        if (!call.callee || facts(call.callee).is_builtin_accessor) continue;
        const BuiltinReads before = mine;
        mine |= reads[call.callee];
        changed |= !(mine == before);
      }
    }
  }
  plan.kernel_reads = facts(root).reads & which;

  // Hazards anywhere the kernel reaches.
  const std::string wanted = names_of(which);
  for (const FunctionDecl* key : reachable) {
    const FunctionFacts& f = facts(key);
    if (!f.in_system_header) {
      for (SourceLocation loc : f.indirect_calls)
        plan.hazards.push_back(hazard(Hazard::IndirectCall,
                                      "indirect call in '" + qualified_name(key) +
                                          "': miriamc cannot prove the callee does not read " + wanted,
                                      loc));
    }
    if (which.block_idx || which.grid_dim)
      for (SourceLocation loc : f.asm_grid_register_reads)
        plan.hazards.push_back(hazard(Hazard::InlineAsmGridRegister,
                                      "inline asm in '" + qualified_name(key) +
                                          "' reads a grid special register (%ctaid/%nctaid/...), "
                                          "which would give physical, not logical, values",
                                      loc));
    if (which.thread_idx || which.block_dim)
      for (SourceLocation loc : f.asm_thread_register_reads)
        plan.hazards.push_back(hazard(Hazard::InlineAsmThreadRegister,
                                      "inline asm in '" + qualified_name(key) +
                                          "' reads a thread special register (%tid/%ntid/%laneid/...), "
                                          "which would give physical, not logical, values",
                                      loc));
    if ((which.block_idx || which.grid_dim) && !f.grid_syncs.empty())
      plan.hazards.push_back(hazard(Hazard::GridSync,
                                    "grid-wide synchronization (this_grid().sync()) needs every block of the "
                                    "grid resident at once; it cannot be split across launches",
                                    f.grid_syncs.front()));
    for (const SourceLocation& loc : f.default_args_reading_builtins)
      plan.hazards.push_back(hazard(Hazard::HeaderReadsGridBuiltin,
                                    "a default argument of '" + qualified_name(key) +
                                        "' reads a builtin index; it is evaluated outside any clone",
                                    loc));
    for (const auto& [target, loc] : f.address_taken)
      if (target && reads[target].any())
        plan.hazards.push_back(hazard(Hazard::AddressOfBuiltinReader,
                                      "the address of '" + qualified_name(target) + "', which reads " +
                                          names_of(reads[target]) + ", is taken; calls through it cannot be "
                                          "redirected to a clone",
                                      loc));
  }
  if (kernel.is_template && kernel.instantiations.empty() && !facts(root).unresolved_calls.empty())
    plan.hazards.push_back(hazard(Hazard::UnresolvedTemplateCall,
                                  "template kernel '" + kernel.qualified_name +
                                      "' is not instantiated in this file, so its dependent calls cannot be "
                                      "checked; instantiate it explicitly in this file",
                                  facts(root).unresolved_calls.front()));

  // Walk from the kernel through every function that must be cloned.
  std::vector<const FunctionDecl*> work{root};
  std::set<const FunctionDecl*> cloned;
  std::map<unsigned, std::pair<bool, bool>> site_targets;  // name loc -> (redirected, kept)
  for (size_t i = 0; i < work.size(); ++i) {
    const FunctionDecl* owner = work[i];
    const FunctionFacts& f = facts(owner);
    if (f.defined_in_macro)
      plan.hazards.push_back(hazard(Hazard::MacroDefinedFunction,
                                    "'" + qualified_name(owner) +
                                        "' is defined by a macro expansion; miriamc clones only code "
                                        "written in the file",
                                    owner->getLocation()));
    for (const auto& [name, loc] : f.builtin_named_decls)
      if (wants_name(which, name))
        plan.hazards.push_back(hazard(Hazard::BuiltinNameShadowed,
                                      "'" + qualified_name(owner) + "' declares '" + name +
                                          "', which hides the builtin a clone must redefine",
                                      loc));
    for (const BuiltinUse& use : f.builtin_uses) {
      if (!which.has(use.var)) continue;
      if (use.in_captureless_lambda)
        plan.hazards.push_back(hazard(Hazard::CaptureLessLambdaReadsBuiltin,
                                      std::string("a lambda without a capture-default reads ") +
                                          builtin_name(use.var) + " in '" + qualified_name(owner) + "'",
                                      use.loc));
      if (use.in_local_class)
        plan.hazards.push_back(hazard(Hazard::LocalClassReadsBuiltin,
                                      std::string("a local class reads ") + builtin_name(use.var) + " in '" +
                                          qualified_name(owner) + "'",
                                      use.loc));
    }
    for (const CallSite& call : f.calls) {
      if (!call.callee) continue;
      const FunctionFacts& callee = facts(call.callee);
      if (callee.is_builtin_accessor || is_lambda_written_inside(call.callee, owner, sm)) continue;
      bool redirect = reads[call.callee].any() && call.callee != root;
      auto& targets = site_targets[call.name_loc.getRawEncoding()];
      (redirect ? targets.first : targets.second) = true;
      if (targets.first && targets.second)
        plan.hazards.push_back(hazard(Hazard::MixedCallTargets,
                                      "this call reaches functions that read " + wanted +
                                          " in some instantiations and not in others",
                                      call.name_loc));
      if (!redirect) continue;
      std::string callee_name = qualified_name(call.callee);
      std::string what = "'" + callee_name + "' reads " + names_of(reads[call.callee]);
      if (!callee.in_main_file) {
        bool cg = callee_name.find("cooperative_groups") != std::string::npos;
        plan.hazards.push_back(hazard(
            Hazard::HeaderReadsGridBuiltin,
            cg ? "cooperative groups call " + what + " inside CUDA's headers, which miriamc does not rewrite"
               : what + " in a header (" + position_of(call.callee->getLocation(), sm).file +
                     "), which miriamc does not rewrite; move it into the .cu file",
            call.name_loc));
        continue;
      }
      if (callee.is_member) {
        plan.hazards.push_back(hazard(Hazard::MemberReadsBuiltin,
                                      "member function " + what + "; miriamc clones free functions only",
                                      call.name_loc));
        continue;
      }
      if (spelled_in_macro_body(call.name_loc, sm, lang)) {
        plan.hazards.push_back(hazard(Hazard::CallInMacroBody,
                                      "the call of " + what + " is spelled inside a #define; redirecting it "
                                      "would change every expansion of the macro",
                                      call.name_loc));
        continue;
      }
      plan.redirected_calls[owner].push_back(call);
      if (cloned.insert(call.callee).second) {
        plan.cloned_functions.push_back({call.callee, callee.reads & which});
        work.push_back(call.callee);
      }
    }
  }
  // Unresolved (header) functions reached without a redirect still matter.
  for (const FunctionDecl* key : reachable) {
    const FunctionFacts& f = facts(key);
    if (!f.has_body && !f.in_system_header && !f.is_builtin_accessor && key != root &&
        f.key->getBuiltinID() == 0)
      plan.hazards.push_back(hazard(Hazard::IndirectCall,
                                    "'" + qualified_name(key) + "' has no definition visible here; miriamc "
                                    "cannot see whether it reads " + wanted,
                                    key->getLocation()));
  }
  // Report each hazard once, at its first place.
  std::stable_sort(plan.hazards.begin(), plan.hazards.end(), [](const HazardRecord& a, const HazardRecord& b) {
    return std::tie(a.hazard, a.message, a.where.line, a.where.column) <
           std::tie(b.hazard, b.message, b.where.line, b.where.column);
  });
  plan.hazards.erase(std::unique(plan.hazards.begin(), plan.hazards.end(),
                                 [](const HazardRecord& a, const HazardRecord& b) { return a.message == b.message; }),
                     plan.hazards.end());
  return plan;
}

}  // namespace miriam
