#include "SpinWait.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/Expr.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/AST/StmtCXX.h>
#include <llvm/ADT/SmallPtrSet.h>

namespace miriam {

using namespace clang;

namespace {

bool is_atomic_read_call(const CallExpr* call) {
  const FunctionDecl* fn = call->getDirectCallee();
  if (!fn || !fn->getIdentifier()) return false;
  llvm::StringRef name = fn->getName();
  if (name.starts_with("atomic") || name.starts_with("__atomic") || name.starts_with("__nvvm_atom") ||
      name.starts_with("__hip_atomic") || name == "__ldcv" || name == "__ldacquire" || name == "__ldvolatile")
    return true;
  // cuda::atomic / cuda::atomic_ref / std::atomic members (load, ...).
  return fn->getQualifiedNameAsString().find("atomic") != std::string::npos;
}

// The variable an lvalue names at its root (a[i].x -> a, *p -> p), if any.
const VarDecl* root_variable(const Expr* e) {
  while (true) {
    e = e->IgnoreParenImpCasts();
    if (const auto* ref = dyn_cast<DeclRefExpr>(e)) return dyn_cast<VarDecl>(ref->getDecl());
    if (const auto* member = dyn_cast<MemberExpr>(e)) { e = member->getBase(); continue; }
    if (const auto* sub = dyn_cast<ArraySubscriptExpr>(e)) { e = sub->getBase(); continue; }
    return nullptr;
  }
}

// A volatile variable other blocks cannot write: __shared__, or a local
// object (not reached through a pointer).
bool block_private(const Expr* lvalue) {
  const Expr* e = lvalue->IgnoreParenImpCasts();
  bool through_pointer = isa<UnaryOperator>(e) || (isa<MemberExpr>(e) && cast<MemberExpr>(e)->isArrow());
  const VarDecl* var = root_variable(e);
  if (!var) return false;
  if (var->hasAttr<CUDASharedAttr>()) return true;
  if (through_pointer || var->getType()->isPointerType()) return false;
  if (const auto* sub = dyn_cast<ArraySubscriptExpr>(e))
    if (sub->getBase()->IgnoreParenImpCasts()->getType()->isPointerType()) return false;
  return var->hasLocalStorage();
}

// Does `e` read a location other blocks may write, in a way that sees their writes?
class SyncReadFinder : public RecursiveASTVisitor<SyncReadFinder> {
 public:
  bool found = false;
  bool VisitImplicitCastExpr(ImplicitCastExpr* cast) {
    if (cast->getCastKind() == CK_LValueToRValue && cast->getSubExpr()->getType().isVolatileQualified() &&
        !block_private(cast->getSubExpr()))
      found = true;
    return !found;
  }
  bool VisitCallExpr(CallExpr* call) {
    if (is_atomic_read_call(call)) found = true;
    return !found;
  }
};

bool reads_sync_location(const Stmt* s) {
  if (!s) return false;
  SyncReadFinder finder;
  finder.TraverseStmt(const_cast<Stmt*>(s));
  return finder.found;
}

// Locals a condition tests.
class VarCollector : public RecursiveASTVisitor<VarCollector> {
 public:
  llvm::SmallPtrSet<const VarDecl*, 4> vars;
  bool VisitDeclRefExpr(DeclRefExpr* ref) {
    if (const auto* var = dyn_cast<VarDecl>(ref->getDecl()))
      if (var->hasLocalStorage()) vars.insert(var);
    return true;
  }
};

// Assignments in a loop body of a tested local from a synchronizing read;
// also `if (<sync read>) break;` exits, which matter for unconditional loops.
class BodyFinder : public RecursiveASTVisitor<BodyFinder> {
 public:
  explicit BodyFinder(const llvm::SmallPtrSet<const VarDecl*, 4>& tested) : tested_(tested) {}
  bool assigns_from_sync = false;
  bool exits_on_sync = false;

  bool VisitBinaryOperator(BinaryOperator* op) {
    if (op->isAssignmentOp())
      if (const VarDecl* var = root_variable(op->getLHS()))
        if (tested_.count(var) && reads_sync_location(op->getRHS())) assigns_from_sync = true;
    return true;
  }
  bool VisitVarDecl(VarDecl* var) {
    if (tested_.count(var) && var->hasInit() && reads_sync_location(var->getInit())) assigns_from_sync = true;
    return true;
  }
  bool VisitIfStmt(IfStmt* stmt) {
    if (reads_sync_location(stmt->getCond()) && (leaves(stmt->getThen()) || leaves(stmt->getElse())))
      exits_on_sync = true;
    return true;
  }

 private:
  static bool leaves(const Stmt* s) {
    if (!s) return false;
    if (isa<BreakStmt, ReturnStmt, GotoStmt>(s)) return true;
    if (const auto* block = dyn_cast<CompoundStmt>(s))
      for (const Stmt* child : block->body())
        if (isa<BreakStmt, ReturnStmt, GotoStmt>(child)) return true;
    return false;
  }
  const llvm::SmallPtrSet<const VarDecl*, 4>& tested_;
};

bool constant_true_or_absent(const Expr* cond, ASTContext& ctx) {
  if (!cond) return true;
  if (cond->isValueDependent()) return false;
  bool value = false;
  return cond->EvaluateAsBooleanCondition(value, ctx) && value;
}

}  // namespace

bool is_spin_wait_loop(const Stmt* loop, ASTContext& ctx) {
  const Expr* cond = nullptr;
  const Stmt* body = nullptr;
  if (const auto* s = dyn_cast<WhileStmt>(loop)) { cond = s->getCond(); body = s->getBody(); }
  else if (const auto* s = dyn_cast<DoStmt>(loop)) { cond = s->getCond(); body = s->getBody(); }
  else if (const auto* s = dyn_cast<ForStmt>(loop)) { cond = s->getCond(); body = s->getBody(); }
  else return false;

  if (reads_sync_location(cond)) return true;
  VarCollector tested;
  if (cond) tested.TraverseStmt(const_cast<Expr*>(cond));
  BodyFinder finder(tested.vars);
  if (body) finder.TraverseStmt(const_cast<Stmt*>(body));
  if (finder.assigns_from_sync) return true;
  return constant_true_or_absent(cond, ctx) && finder.exits_on_sync;
}

}  // namespace miriam
