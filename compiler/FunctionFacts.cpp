#include "FunctionFacts.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>
#include <llvm/ADT/SmallPtrSet.h>

#include "SpinWait.h"

namespace miriam {

using namespace clang;

const FunctionDecl* function_key(const FunctionDecl* fn, const SourceManager& sm) {
  if (!fn) return nullptr;
  if (const FunctionDecl* pattern = fn->getTemplateInstantiationPattern())
    if (sm.isInMainFile(sm.getExpansionLoc(pattern->getLocation()))) fn = pattern;
  if (const FunctionDecl* def = fn->getDefinition()) return def;
  return fn->getCanonicalDecl();
}

namespace {

bool name_starts_with(const FunctionDecl* fn, llvm::StringRef prefix) {
  return fn->getIdentifier() && fn->getName().starts_with(prefix);
}

bool in_cooperative_groups(const FunctionDecl* fn) {
  return fn->getQualifiedNameAsString().find("cooperative_groups") != std::string::npos;
}

}  // namespace

bool is_block_barrier(const FunctionDecl* fn) {
  static const char* const kNames[] = {"__syncthreads", "__syncthreads_count", "__syncthreads_and",
                                       "__syncthreads_or", "__barrier_sync", "__barrier_sync_count"};
  if (fn->getIdentifier())
    for (const char* name : kNames)
      if (fn->getName() == name) return true;
  if (!in_cooperative_groups(fn) || !fn->getIdentifier() || fn->getName() != "sync") return false;
  // cg::sync(g) and g.sync() on a thread_block: a block barrier.
  std::string qualified = fn->getQualifiedNameAsString();
  if (qualified.find("thread_block") != std::string::npos) return true;
  if (const auto* method = dyn_cast<CXXMethodDecl>(fn)) return method->getParent()->getName() == "thread_block";
  if (fn->getNumParams() == 1) {
    std::string type = fn->getParamDecl(0)->getType().getAsString();
    return type.find("thread_block") != std::string::npos && type.find("tile") == std::string::npos;
  }
  return false;
}

namespace {

bool is_grid_sync(const FunctionDecl* fn, const CallExpr* call) {
  if (!in_cooperative_groups(fn) || !fn->getIdentifier() || fn->getName() != "sync") return false;
  if (const auto* method = dyn_cast<CXXMethodDecl>(fn)) {
    llvm::StringRef record = method->getParent()->getName();
    return record.contains("grid_group");
  }
  if (call->getNumArgs() == 1) {
    std::string type = call->getArg(0)->getType().getCanonicalType().getAsString();
    return type.find("grid_group") != std::string::npos;
  }
  return false;
}

bool is_warp_level(const FunctionDecl* fn) {
  static const char* const kPrefixes[] = {"__shfl", "__ballot", "__any_sync", "__all_sync", "__uni_sync",
                                          "__activemask", "__match_", "__reduce_", "__syncwarp",
                                          "__nvvm_shfl", "__nvvm_vote", "__nvvm_bar_warp"};
  for (const char* prefix : kPrefixes)
    if (name_starts_with(fn, prefix)) return true;
  if (!in_cooperative_groups(fn) || !fn->getIdentifier()) return false;
  llvm::StringRef name = fn->getName();
  return name == "tiled_partition" || name == "coalesced_threads" || name.starts_with("shfl") ||
         name == "ballot" || name == "any" || name == "all" || name == "match_any" || name == "match_all" ||
         name == "reduce";
}

bool is_atomic(const FunctionDecl* fn) {
  return name_starts_with(fn, "atomic") || name_starts_with(fn, "__nvvm_atom") ||
         name_starts_with(fn, "__atomic") || name_starts_with(fn, "__hip_atomic");
}

// Special registers a persistent or sliced variant would read with physical values.
bool asm_reads(llvm::StringRef text, std::initializer_list<const char*> registers) {
  for (const char* reg : registers)
    if (text.contains(reg)) return true;
  return false;
}

class BodyScanner : public RecursiveASTVisitor<BodyScanner> {
 public:
  BodyScanner(FunctionFacts& facts, ASTContext& ctx, bool is_pattern)
      : facts_(facts), ctx_(ctx), is_pattern_(is_pattern) {}

  bool shouldVisitTemplateInstantiations() const { return false; }
  bool shouldVisitImplicitCode() const { return false; }

  bool TraverseLambdaExpr(LambdaExpr* lambda) {
    bool captureless = lambda->getCaptureDefault() == LCD_None;
    captureless_lambda_depth_ += captureless ? 1 : 0;
    ++lambda_depth_;  // a `return` in a lambda leaves the lambda, not the function
    bool ok = RecursiveASTVisitor::TraverseLambdaExpr(lambda);
    --lambda_depth_;
    captureless_lambda_depth_ -= captureless ? 1 : 0;
    return ok;
  }

  bool TraverseCXXRecordDecl(CXXRecordDecl* record) {
    ++local_class_depth_;
    bool ok = RecursiveASTVisitor::TraverseCXXRecordDecl(record);
    --local_class_depth_;
    return ok;
  }

  bool VisitDeclRefExpr(DeclRefExpr* ref) {
    if (const auto* var = dyn_cast<VarDecl>(ref->getDecl())) {
      BuiltinVar builtin = classify_builtin_var(var);
      if (builtin != BuiltinVar::None) record_builtin(builtin, ref->getLocation());
      return true;
    }
    if (const auto* fn = dyn_cast<FunctionDecl>(ref->getDecl())) {
      // Parents are visited first, so a call has already marked its callee's
      // reference: any other reference to a function takes its address.
      if (!callee_refs_.count(ref)) facts_.address_taken.push_back({function_key(fn, ctx_.getSourceManager()), ref->getLocation()});
    }
    return true;
  }

  bool VisitCallExpr(CallExpr* call) {
    const Expr* callee_expr = call->getCallee()->IgnoreParenImpCasts();
    if (const auto* ref = dyn_cast<DeclRefExpr>(callee_expr)) callee_refs_.insert(ref);
    const FunctionDecl* callee = call->getDirectCallee();
    if (!callee) {
      if (call->isTypeDependent() || call->getCallee()->isTypeDependent() ||
          isa<UnresolvedLookupExpr, UnresolvedMemberExpr, CXXDependentScopeMemberExpr>(callee_expr) ||
          isa<CXXPseudoDestructorExpr>(callee_expr)) {
        if (is_pattern_ && !isa<CXXPseudoDestructorExpr>(callee_expr))
          facts_.unresolved_calls.push_back(call->getBeginLoc());
        return true;
      }
      facts_.indirect_calls.push_back(call->getBeginLoc());
      return true;
    }
    classify_callee(callee, call);
    if (callee->getBuiltinID() != 0 && !callee->hasBody()) return true;  // compiler builtins
    if (is_builtin_var_accessor(callee)) return true;  // seen as the DeclRefExpr to the builtin

    CallSite site;
    site.callee = function_key(callee, ctx_.getSourceManager());
    site.name_loc = callee_name_loc(callee_expr, call);
    unsigned explicit_args = 0;
    for (const Expr* arg : call->arguments())
      if (!isa<CXXDefaultArgExpr>(arg)) ++explicit_args;
    if (explicit_args > 0 && !isa<CXXOperatorCallExpr>(call)) site.first_arg_loc = call->getArg(0)->getBeginLoc();
    site.rparen_loc = call->getRParenLoc();
    facts_.calls.push_back(site);
    return true;
  }

  bool VisitCXXConstructExpr(CXXConstructExpr* construct) {
    const CXXConstructorDecl* ctor = construct->getConstructor();
    if (!ctor || ctor->isTrivial()) return true;
    CallSite site;
    site.callee = function_key(ctor, ctx_.getSourceManager());
    site.name_loc = construct->getLocation();
    facts_.calls.push_back(site);
    return true;
  }

  bool VisitGCCAsmStmt(GCCAsmStmt* stmt) {
    facts_.inline_asm = true;
    std::string text = stmt->generateAsmString(ctx_);
    if (asm_reads(text, {"%ctaid", "%nctaid", "%clusterid", "%nclusterid", "%cluster_ctaid",
                         "%cluster_nctaid", "%cluster_ctarank", "%gridid"}))
      facts_.asm_grid_register_reads.push_back(stmt->getAsmLoc());
    if (asm_reads(text, {"%smid", "%nsmid", "%warpid", "%nwarpid"}))
      facts_.asm_smid_reads.push_back(stmt->getAsmLoc());
    if (asm_reads(text, {"%tid", "%ntid", "%laneid", "%lanemask"}))
      facts_.asm_thread_register_reads.push_back(stmt->getAsmLoc());
    return true;
  }

  bool VisitReturnStmt(ReturnStmt* ret) {
    if (local_class_depth_ == 0 && lambda_depth() == 0) {
      facts_.returns.push_back(ret->getReturnLoc());
      facts_.return_stmts.push_back(ret);
    }
    return true;
  }

  // Dynamic parallelism: a launch from device code.
  bool VisitCUDAKernelCallExpr(CUDAKernelCallExpr* call) {
    facts_.device_launches.push_back(call->getBeginLoc());
    return true;
  }

  bool VisitWhileStmt(WhileStmt* loop) { return note_loop(loop); }
  bool VisitDoStmt(DoStmt* loop) { return note_loop(loop); }
  bool VisitForStmt(ForStmt* loop) { return note_loop(loop); }

  bool VisitVarDecl(VarDecl* var) {
    if (var->getIdentifier()) {
      llvm::StringRef name = var->getName();
      if (name == "blockIdx" || name == "gridDim" || name == "threadIdx" || name == "blockDim")
        facts_.builtin_named_decls.push_back({name.str(), var->getLocation()});
    }
    if (var->hasAttr<CUDASharedAttr>()) {
      if (var->hasExternalStorage()) {
        facts_.dynamic_shared_memory = true;
      } else {
        facts_.static_shared_memory = true;
        if (!var->getType()->isDependentType() && !var->getType()->isIncompleteType())
          facts_.static_shared_bytes += ctx_.getTypeSizeInChars(var->getType()).getQuantity();
      }
    }
    return true;
  }

 private:
  int lambda_depth() const { return lambda_depth_; }

  bool note_loop(Stmt* loop) {
    if (is_spin_wait_loop(loop, ctx_)) facts_.spin_waits.push_back(loop->getBeginLoc());
    return true;
  }

  void record_builtin(BuiltinVar builtin, SourceLocation loc) {
    BuiltinUse use;
    use.var = builtin;
    use.loc = loc;
    use.in_captureless_lambda = captureless_lambda_depth_ > 0;
    use.in_local_class = local_class_depth_ > 0;
    facts_.builtin_uses.push_back(use);
    facts_.reads.add(builtin);
  }

  void classify_callee(const FunctionDecl* callee, const CallExpr* call) {
    if (is_block_barrier(callee)) facts_.barriers = true;
    if (is_warp_level(callee)) {
      facts_.warp_level_ops = true;
      facts_.warp_level_calls.push_back(call->getBeginLoc());
    }
    if (is_atomic(callee)) facts_.atomics = true;
    if (in_cooperative_groups(callee)) facts_.cooperative_groups = true;
    if (is_grid_sync(callee, call)) facts_.grid_syncs.push_back(call->getBeginLoc());
    if (callee->getIdentifier() &&
        (callee->getName() == "cudaLaunchDevice" || callee->getName() == "cudaGetParameterBuffer" ||
         callee->getName() == "cudaLaunchDeviceV2" || callee->getName() == "cudaGetParameterBufferV2"))
      facts_.device_launches.push_back(call->getBeginLoc());
  }

  static SourceLocation callee_name_loc(const Expr* callee_expr, const CallExpr* call) {
    if (const auto* ref = dyn_cast<DeclRefExpr>(callee_expr)) return ref->getNameInfo().getLoc();
    if (const auto* member = dyn_cast<MemberExpr>(callee_expr)) return member->getMemberLoc();
    return call->getBeginLoc();
  }

  FunctionFacts& facts_;
  ASTContext& ctx_;
  bool is_pattern_;
  int captureless_lambda_depth_ = 0;
  int lambda_depth_ = 0;
  int local_class_depth_ = 0;
  llvm::SmallPtrSet<const DeclRefExpr*, 16> callee_refs_;
};

void scan_body(const FunctionDecl* fn, FunctionFacts& facts, ASTContext& ctx, bool is_pattern) {
  if (!fn->hasBody()) return;
  BodyScanner scanner(facts, ctx, is_pattern);
  scanner.TraverseStmt(fn->getBody());
  for (const ParmVarDecl* param : fn->parameters()) {
    // A default argument is evaluated in the caller with the names bound at
    // the declaration: a clone's logical blockIdx never reaches it.
    if (param->hasDefaultArg() && !param->hasUninstantiatedDefaultArg() && param->getDefaultArg()) {
      FunctionFacts arg_facts;
      BodyScanner arg_scanner(arg_facts, ctx, is_pattern);
      arg_scanner.TraverseStmt(const_cast<Expr*>(param->getDefaultArg()));
      if (!arg_facts.builtin_uses.empty()) facts.default_args_reading_builtins.push_back(param->getLocation());
    }
    // Parameters named like builtins shadow them too.
    if (param->getIdentifier()) {
      llvm::StringRef name = param->getName();
      if (name == "blockIdx" || name == "gridDim" || name == "threadIdx" || name == "blockDim")
        facts.builtin_named_decls.push_back({name.str(), param->getLocation()});
    }
  }
}

void dedupe(std::vector<SourceLocation>& locs) {
  std::sort(locs.begin(), locs.end(), [](SourceLocation a, SourceLocation b) {
    return a.getRawEncoding() < b.getRawEncoding();
  });
  locs.erase(std::unique(locs.begin(), locs.end()), locs.end());
}

}  // namespace

unsigned long long static_shared_bytes_of(const FunctionDecl* body_owner, ASTContext& ctx) {
  FunctionFacts facts;
  scan_body(body_owner, facts, ctx, /*is_pattern=*/false);
  return facts.static_shared_bytes;
}

FunctionFacts scan_function(const FunctionDecl* key, ASTContext& ctx) {
  FunctionFacts facts;
  facts.key = key;
  const SourceManager& sm = ctx.getSourceManager();
  SourceLocation loc = sm.getExpansionLoc(key->getLocation());
  facts.in_main_file = sm.isInMainFile(loc);
  facts.in_system_header = sm.isInSystemHeader(loc);
  facts.is_member = isa<CXXMethodDecl>(key);
  facts.is_builtin_accessor = is_builtin_var_accessor(key);
  facts.has_body = key->hasBody();
  if (!facts.has_body || facts.is_builtin_accessor) return facts;

  CharSourceRange range = Lexer::makeFileCharRange(CharSourceRange::getTokenRange(key->getSourceRange()), sm,
                                                   ctx.getLangOpts());
  facts.defined_in_macro = range.isInvalid();

  scan_body(key, facts, ctx, /*is_pattern=*/key->isDependentContext());
  if (const auto* body = dyn_cast_or_null<CompoundStmt>(key->getBody()))
    facts.ends_with_return = !body->body_empty() && isa<ReturnStmt>(body->body_back());

  // Instantiations resolve the calls a template pattern leaves dependent.
  std::vector<const FunctionDecl*> instances;
  if (const FunctionTemplateDecl* tmpl = key->getDescribedFunctionTemplate())
    for (const FunctionDecl* spec : tmpl->specializations()) instances.push_back(spec);
  for (const FunctionDecl* instance : instances) {
    if (!instance->hasBody() || instance == key) continue;
    FunctionFacts inst;
    scan_body(instance, inst, ctx, /*is_pattern=*/false);
    facts.reads |= inst.reads;
    auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(facts.builtin_uses, inst.builtin_uses);
    append(facts.calls, inst.calls);
    append(facts.indirect_calls, inst.indirect_calls);
    append(facts.address_taken, inst.address_taken);
    append(facts.asm_grid_register_reads, inst.asm_grid_register_reads);
    append(facts.asm_smid_reads, inst.asm_smid_reads);
    append(facts.asm_thread_register_reads, inst.asm_thread_register_reads);
    append(facts.warp_level_calls, inst.warp_level_calls);
    append(facts.grid_syncs, inst.grid_syncs);
    append(facts.device_launches, inst.device_launches);
    append(facts.spin_waits, inst.spin_waits);
    facts.barriers |= inst.barriers;
    facts.warp_level_ops |= inst.warp_level_ops;
    facts.atomics |= inst.atomics;
    facts.cooperative_groups |= inst.cooperative_groups;
    facts.inline_asm |= inst.inline_asm;
    facts.dynamic_shared_memory |= inst.dynamic_shared_memory;
    facts.static_shared_memory |= inst.static_shared_memory;
  }
  dedupe(facts.indirect_calls);
  dedupe(facts.grid_syncs);
  dedupe(facts.asm_grid_register_reads);
  dedupe(facts.asm_smid_reads);
  dedupe(facts.asm_thread_register_reads);
  dedupe(facts.warp_level_calls);
  dedupe(facts.returns);
  dedupe(facts.device_launches);
  dedupe(facts.spin_waits);
  return facts;
}

}  // namespace miriam
