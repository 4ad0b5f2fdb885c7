#include "Uniformity.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/ParentMap.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/SourceManager.h>

#include "BuiltinVars.h"
#include "FunctionFacts.h"

namespace miriam {

using namespace clang;

namespace {

// Pure math functions of CUDA's headers a uniform expression may call.
bool is_pure_math(const FunctionDecl* fn, const SourceManager& sm) {
  static const char* const kNames[] = {"min",   "max",   "umin", "umax", "llmin", "llmax", "ullmin", "ullmax",
                                       "fminf", "fmaxf", "fmin", "fmax", "abs",   "labs",  "llabs"};
  if (!fn || !fn->getIdentifier() || !sm.isInSystemHeader(sm.getExpansionLoc(fn->getLocation()))) return false;
  for (const char* name : kNames)
    if (fn->getName() == name) return true;
  return false;
}

template <class Fn>
class RefVisitor : public RecursiveASTVisitor<RefVisitor<Fn>> {
 public:
  explicit RefVisitor(Fn fn) : fn_(fn) {}
  bool VisitDeclRefExpr(DeclRefExpr* ref) {
    fn_(ref);
    return true;
  }

 private:
  Fn fn_;
};

template <class Fn>
void for_each_ref(const Stmt* scope, Fn fn) {
  RefVisitor<Fn> visitor(fn);
  visitor.TraverseStmt(const_cast<Stmt*>(scope));
}

}  // namespace

Uniformity::Uniformity(const FunctionDecl* kernel, ASTContext& ctx,
                       std::set<const FunctionDecl*> thread_varying_callees)
    : kernel_(kernel), ctx_(ctx), thread_varying_callees_(std::move(thread_varying_callees)),
      parents_(std::make_unique<ParentMap>(kernel->getBody())) {
  for_each_ref(kernel->getBody(), [&](const DeclRefExpr* ref) {
    if (const auto* var = dyn_cast<VarDecl>(ref->getDecl()))
      if (!is_read_only_use(ref) || address_escapes(ref)) modified_.insert(var);
  });
  for (const ParmVarDecl* param : kernel->parameters())
    if (!modified(param)) uniform_.insert(param);
}

Uniformity::~Uniformity() = default;

void Uniformity::classify_locals() {
  struct Locals : RecursiveASTVisitor<Locals> {
    std::vector<const VarDecl*> in_order;
    bool VisitVarDecl(VarDecl* var) {
      if (var->isLocalVarDecl() && !var->isStaticLocal() && !isa<ParmVarDecl>(var)) in_order.push_back(var);
      return true;
    }
  } locals;
  locals.TraverseStmt(kernel_->getBody());
  for (const VarDecl* var : locals.in_order) {
    if (modified(var) || !var->hasInit() || var->hasAttr<CUDASharedAttr>()) continue;
    QualType type = var->getType();
    const bool lambda = type->getAsCXXRecordDecl() && type->getAsCXXRecordDecl()->isLambda();
    if (type->isReferenceType() || (!type->isScalarType() && !type->isVectorType() && !lambda)) continue;
    if (var->getInitStyle() != VarDecl::CInit) continue;
    if (is_uniform(var->getInit())) uniform_.insert(var);
  }
}

// Walks up from `ref` through parentheses and `.field` accesses (and, with
// `elements`, array subscripts), to the expression that uses the variable
// (or one of its parts): returns (that use's operand, its parent).
std::pair<const Stmt*, const Stmt*> Uniformity::use_of(const DeclRefExpr* ref, bool elements) const {
  const Stmt* cur = ref;
  const Stmt* parent = parents_->getParent(cur);
  while (parent) {
    if (isa<ParenExpr>(parent)) {
    } else if (const auto* member = dyn_cast<MemberExpr>(parent); member && !member->isArrow() &&
                                                                 member->getBase() == cur) {
    } else if (const auto* decay = dyn_cast<ImplicitCastExpr>(parent);
               elements && decay && decay->getCastKind() == CK_ArrayToPointerDecay &&
               isa_and_nonnull<ArraySubscriptExpr>(parents_->getParent(decay)) &&
               llvm::cast<ArraySubscriptExpr>(parents_->getParent(decay))->getBase() == decay) {
      parent = parents_->getParent(decay);  // a[i]: an element, not the array's address
    } else {
      break;
    }
    cur = parent;
    parent = parents_->getParent(cur);
  }
  return {cur, parent};
}

bool Uniformity::is_read_only_use(const DeclRefExpr* ref) const {
  const auto [cur, parent] = use_of(ref, /*elements=*/false);
  if (!parent) return true;
  if (const auto* cast = dyn_cast<ImplicitCastExpr>(parent)) {
    if (cast->getCastKind() == CK_LValueToRValue) return true;
    if (cast->getCastKind() == CK_NoOp && cast->getType().isConstQualified()) return true;
  }
  if (isa<UnaryExprOrTypeTraitExpr>(parent)) return true;
  if (const auto* var = dyn_cast<VarDecl>(ref->getDecl()))
    if (!var->getType()->isReferenceType() && var->getType().isConstQualified() && !var->getType()->isArrayType())
      return true;
  return false;
}

bool Uniformity::address_escapes(const DeclRefExpr* ref) const {
  const auto [cur, parent] = use_of(ref, /*elements=*/true);
  if (!parent) return false;
  if (const auto* unary = dyn_cast<UnaryOperator>(parent)) return unary->getOpcode() == UO_AddrOf;
  if (const auto* cast = dyn_cast<ImplicitCastExpr>(parent)) return cast->getCastKind() == CK_ArrayToPointerDecay;
  if (const auto* call = dyn_cast<CallExpr>(parent)) return call->getCallee() != cur;
  if (isa<CXXConstructExpr>(parent)) return true;
  if (const auto* decl = dyn_cast<DeclStmt>(parent)) {
    for (const Decl* d : decl->decls())
      if (const auto* var = dyn_cast<VarDecl>(d))
        if (var->getType()->isReferenceType() && var->getInit() == cur) return true;
  }
  return false;
}

bool Uniformity::only_read_in(const VarDecl* var, const Stmt* scope) const {
  bool ok = true;
  for_each_ref(scope, [&](const DeclRefExpr* ref) {
    if (ref->getDecl() == var && (!is_read_only_use(ref) || address_escapes(ref))) ok = false;
  });
  return ok;
}

bool Uniformity::is_uniform_lambda(const Expr* expr) const {
  const auto* lambda = dyn_cast<LambdaExpr>(expr);
  if (!lambda) return false;
  for (const LambdaCapture& capture : lambda->captures()) {
    if (!capture.capturesVariable()) return false;
    const auto* var = dyn_cast<VarDecl>(capture.getCapturedVar());
    if (!var || !is_uniform(var)) return false;
  }
  // The body must mean the same wherever it is defined: no threadIdx (a slot
  // loop shadows it) and no call that passes the logical thread.
  struct Body : RecursiveASTVisitor<Body> {
    const std::set<const FunctionDecl*>* varying;
    const SourceManager* sm;
    bool thread_dependent = false;
    bool VisitDeclRefExpr(DeclRefExpr* ref) {
      if (const auto* var = dyn_cast<VarDecl>(ref->getDecl()))
        thread_dependent |= classify_builtin_var(var) == BuiltinVar::ThreadIdx;
      return true;
    }
    bool VisitCallExpr(CallExpr* call) {
      if (const FunctionDecl* callee = call->getDirectCallee())
        thread_dependent |= varying->count(function_key(callee, *sm)) != 0;
      return true;
    }
  } body;
  body.varying = &thread_varying_callees_;
  body.sm = &ctx_.getSourceManager();
  body.TraverseStmt(lambda->getBody());
  return !body.thread_dependent;
}

bool Uniformity::is_uniform(const Expr* expr) const {
  if (!expr) return false;
  if (!expr->isValueDependent() && !expr->isTypeDependent() && !expr->isInstantiationDependent() &&
      !expr->HasSideEffects(ctx_) && expr->isEvaluatable(ctx_))
    return true;  // a constant
  expr = expr->IgnoreParens();
  if (const auto* ref = dyn_cast<DeclRefExpr>(expr)) {
    const ValueDecl* decl = ref->getDecl();
    if (isa<EnumConstantDecl, NonTypeTemplateParmDecl>(decl)) return true;
    const auto* var = dyn_cast<VarDecl>(decl);
    if (!var) return false;
    BuiltinVar builtin = classify_builtin_var(var);
    if (builtin != BuiltinVar::None) return builtin != BuiltinVar::ThreadIdx;
    if (uniform_.count(var) || var->isConstexpr()) return true;
    // Constants of the program: device code cannot write them.
    return var->hasGlobalStorage() && !var->isStaticLocal() &&
           (var->getType().isConstQualified() || var->hasAttr<CUDAConstantAttr>()) &&
           !var->getType()->isReferenceType();
  }
  if (const auto* pseudo = dyn_cast<PseudoObjectExpr>(expr)) return is_uniform(pseudo->getSyntacticForm());
  if (const auto* property = dyn_cast<MSPropertyRefExpr>(expr)) return is_uniform(property->getBaseExpr());
  if (const auto* opaque = dyn_cast<OpaqueValueExpr>(expr)) return is_uniform(opaque->getSourceExpr());
  if (const auto* member = dyn_cast<MemberExpr>(expr))
    return !member->isArrow() && isa<FieldDecl>(member->getMemberDecl()) && is_uniform(member->getBase());
  if (const auto* cast = dyn_cast<CastExpr>(expr)) {
    if (isa<ImplicitCastExpr, CStyleCastExpr, CXXStaticCastExpr, CXXFunctionalCastExpr>(cast))
      return is_uniform(cast->getSubExpr());
    return false;
  }
  if (const auto* unary = dyn_cast<UnaryOperator>(expr)) {
    if (unary->isIncrementDecrementOp() || unary->getOpcode() == UO_AddrOf || unary->getOpcode() == UO_Deref)
      return false;
    return is_uniform(unary->getSubExpr());
  }
  if (const auto* binary = dyn_cast<BinaryOperator>(expr)) {
    if (binary->isAssignmentOp() || binary->isCompoundAssignmentOp() || binary->getOpcode() == BO_Comma)
      return false;
    return is_uniform(binary->getLHS()) && is_uniform(binary->getRHS());
  }
  if (const auto* cond = dyn_cast<ConditionalOperator>(expr))
    return is_uniform(cond->getCond()) && is_uniform(cond->getTrueExpr()) && is_uniform(cond->getFalseExpr());
  if (isa<UnaryExprOrTypeTraitExpr>(expr)) return true;
  if (const auto* full = dyn_cast<FullExpr>(expr)) return is_uniform(full->getSubExpr());
  if (const auto* temp = dyn_cast<MaterializeTemporaryExpr>(expr)) return is_uniform(temp->getSubExpr());
  if (const auto* call = dyn_cast<CallExpr>(expr)) {
    if (isa<CXXOperatorCallExpr, CXXMemberCallExpr>(call)) return false;
    if (!is_pure_math(call->getDirectCallee(), ctx_.getSourceManager())) return false;
    for (const Expr* arg : call->arguments())
      if (!is_uniform(arg)) return false;
    return true;
  }
  return is_uniform_lambda(expr);
}

}  // namespace miriam
