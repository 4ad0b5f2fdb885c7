#include "SlotRegions.h"

#include <map>
#include <optional>
#include <set>

#include <clang/AST/ASTContext.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/ParentMap.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>

#include "FunctionFacts.h"
#include "Naming.h"
#include "ReturnRewrite.h"
#include "Uniformity.h"

namespace miriam {

using namespace clang;

namespace {

constexpr int kSkeleton = -1;  // "region" of code outside the slot loops

// A run of consecutive statements of one compound statement, run for every
// slot before whatever follows it.
struct Region {
  int id = 0;
  const CompoundStmt* parent = nullptr;
  size_t first = 0;  // indices into parent's statements
  size_t last = 0;
  bool top_level = false;
  bool inside_loop = false;   // inside a loop that holds barriers
  bool last_in_body = false;  // nothing but plain code follows it in the kernel body
};

bool is_plain_barrier(const Stmt* stmt) {
  const auto* call = dyn_cast<CallExpr>(stmt);
  if (!call || call->getNumArgs() != 0) return false;
  const FunctionDecl* callee = call->getDirectCallee();
  return callee && callee->getIdentifier() && callee->getName() == "__syncthreads";
}

// The first barrier call inside `stmt` (lambdas included), or null.
const CallExpr* find_barrier(const Stmt* stmt) {
  struct Finder : RecursiveASTVisitor<Finder> {
    const CallExpr* found = nullptr;
    bool VisitCallExpr(CallExpr* call) {
      if (const FunctionDecl* callee = call->getDirectCallee(); callee && is_block_barrier(callee)) {
        found = call;
        return false;
      }
      return true;
    }
  } finder;
  finder.TraverseStmt(const_cast<Stmt*>(stmt));
  return finder.found;
}

// Does the text of `stmt` end with a ';' that is not part of its AST range?
bool needs_semicolon(const Stmt* stmt) {
  if (isa<CompoundStmt, DeclStmt, NullStmt>(stmt)) return false;
  if (const auto* s = dyn_cast<IfStmt>(stmt)) return needs_semicolon(s->getElse() ? s->getElse() : s->getThen());
  if (const auto* s = dyn_cast<ForStmt>(stmt)) return needs_semicolon(s->getBody());
  if (const auto* s = dyn_cast<WhileStmt>(stmt)) return needs_semicolon(s->getBody());
  if (const auto* s = dyn_cast<CXXForRangeStmt>(stmt)) return needs_semicolon(s->getBody());
  if (const auto* s = dyn_cast<SwitchStmt>(stmt)) return needs_semicolon(s->getBody());
  if (const auto* s = dyn_cast<AttributedStmt>(stmt)) return needs_semicolon(s->getSubStmt());
  if (const auto* s = dyn_cast<LabelStmt>(stmt)) return needs_semicolon(s->getSubStmt());
  if (isa<CXXTryStmt>(stmt)) return false;
  return true;  // expressions, return, break, continue, goto, do-while, asm
}

class Planner {
 public:
  Planner(const KernelInfo& kernel, const BuiltinRewritePlan& plan, TranslationUnitAnalysis& analysis)
      : kernel_(kernel), analysis_(analysis), ctx_(analysis.context()), sm_(ctx_.getSourceManager()),
        uniformity_(kernel.pattern, ctx_, varying_callees(plan)),
        passes_thread_(plan.redirected_calls.count(kernel.pattern) != 0) {}

  SlotPlan run() {
    const auto* body = dyn_cast_or_null<CompoundStmt>(kernel_.pattern->getBody());
    if (!body) return refuse(Hazard::BarrierInControlFlow, "the kernel body is not a plain block", kernel_.pattern->getLocation());
    has_barriers_ = find_barrier(body) != nullptr;
    if (!has_barriers_) {
      // One region: the whole body, `return` meaning "next slot".
      if (!body->body_empty()) add_region(body, 0, body->size() - 1, true, false);
    } else {
      collect_barrier_loop_vars(body);
      uniformity_.classify_locals();
      walk(body, /*top_level=*/true, /*inside_loop=*/false);
      check_parameters();
      check_jumps(body);
    }
    mark_last_regions(body);
    for (const Region& region : regions_) scan_region(region);
    plan_per_slot_values();
    emit_regions();
    out_.regions = static_cast<unsigned>(regions_.size());
    return std::move(out_);
  }

 private:
  static std::set<const FunctionDecl*> varying_callees(const BuiltinRewritePlan& plan) {
    std::set<const FunctionDecl*> out;
    for (const auto& [callee, reads] : plan.cloned_functions) out.insert(callee);
    return out;
  }

  SlotPlan refuse(Hazard kind, std::string message, SourceLocation loc) {
    add_hazard(kind, std::move(message), loc);
    return std::move(out_);
  }
  void add_hazard(Hazard kind, std::string message, SourceLocation loc) {
    out_.hazards.push_back(analysis_.hazard(kind, std::move(message), loc));
  }

  // --- structure -----------------------------------------------------------

  // Loop variables of the `for` loops that hold barriers are uniform if their
  // loop checks out (check_loop_header refuses otherwise).
  void collect_barrier_loop_vars(const Stmt* body) {
    struct Loops : RecursiveASTVisitor<Loops> {
      std::vector<const ForStmt*> found;
      bool VisitForStmt(ForStmt* loop) {
        found.push_back(loop);
        return true;
      }
    } loops;
    loops.TraverseStmt(const_cast<Stmt*>(body));
    for (const ForStmt* loop : loops.found) {
      if (!find_barrier(loop->getBody())) continue;
      if (const auto* init = dyn_cast_or_null<DeclStmt>(loop->getInit()))
        for (const Decl* decl : init->decls())
          if (const auto* var = dyn_cast<VarDecl>(decl)) {
            uniformity_.assume_uniform(var);
            loop_vars_[loop].push_back(var);
          }
    }
  }

  // Declarations that run once per physical thread, outside the slot loops.
  bool is_skeleton_decl(const Stmt* stmt) const {
    const auto* decl_stmt = dyn_cast<DeclStmt>(stmt);
    if (!decl_stmt) return false;
    for (const Decl* decl : decl_stmt->decls()) {
      const auto* var = dyn_cast<VarDecl>(decl);
      if (!var) {
        if (!isa<TypedefNameDecl, StaticAssertDecl, UsingDecl, UsingDirectiveDecl, TagDecl>(decl)) return false;
        continue;
      }
      const bool per_block = !var->isLocalVarDecl() || var->isStaticLocal() || var->hasAttr<CUDASharedAttr>();
      if (!per_block && !var->isConstexpr() && !uniformity_.is_uniform(var)) return false;
    }
    return true;
  }

  void walk(const CompoundStmt* compound, bool top_level, bool inside_loop) {
    std::optional<size_t> pending;
    auto flush = [&](size_t end) {
      if (pending) add_region(compound, *pending, end - 1, top_level, inside_loop);
      pending.reset();
    };
    size_t index = 0;
    for (const Stmt* stmt : compound->body()) {
      const CallExpr* barrier = find_barrier(stmt);
      if (!barrier && !is_skeleton_decl(stmt)) {
        if (!pending) pending = index;
        ++index;
        continue;
      }
      flush(index);
      if (!barrier) {
        note_skeleton(stmt);
      } else if (is_plain_barrier(stmt)) {
        ++out_.barriers;
      } else if (const auto* loop = dyn_cast<ForStmt>(stmt)) {
        if (check_loop_header(loop)) walk(cast<CompoundStmt>(loop->getBody()), false, true);
      } else if (const auto* block = dyn_cast<CompoundStmt>(stmt)) {
        walk(block, false, inside_loop);
      } else if (const auto* call = dyn_cast<CallExpr>(stmt); call && call->getDirectCallee() &&
                                                              is_block_barrier(call->getDirectCallee())) {
        add_hazard(Hazard::BarrierInControlFlow,
                   "'" + call->getDirectCallee()->getNameAsString() +
                       "' is a barrier miriamc does not split at (only a plain '__syncthreads();' statement)",
                   call->getBeginLoc());
      } else {
        add_hazard(Hazard::BarrierInControlFlow,
                   "a barrier under control flow miriamc cannot prove uniform (barriers are split only at the top "
                   "level of the kernel body, in plain blocks and in 'for' loops whose header is the same for "
                   "every thread)",
                   barrier->getBeginLoc());
      }
      ++index;
    }
    flush(index);
  }

  void add_region(const CompoundStmt* parent, size_t first, size_t last, bool top_level, bool inside_loop) {
    Region region;
    region.id = static_cast<int>(regions_.size());
    region.parent = parent;
    region.first = first;
    region.last = last;
    region.top_level = top_level;
    region.inside_loop = inside_loop;
    regions_.push_back(region);
  }

  void note_skeleton(const Stmt* stmt) { note_refs(stmt, kSkeleton); }

  bool check_loop_header(const ForStmt* loop) {
    auto bad = [&](const std::string& what, SourceLocation loc) {
      add_hazard(Hazard::ThreadVaryingLoopBound,
                 "a 'for' loop holding a barrier has " + what +
                     "; miriamc splits a loop at its barriers only when its header is the same for every thread "
                     "(built from unmodified parameters, blockIdx/gridDim/blockDim, constants and such values)",
                 loc);
      return false;
    };
    if (!isa<CompoundStmt>(loop->getBody())) return bad("a body that is not a block", loop->getBeginLoc());
    const std::vector<const VarDecl*>& vars = loop_vars_[loop];
    if (const Stmt* init = loop->getInit()) {
      const auto* decl = dyn_cast<DeclStmt>(init);
      if (!decl) return bad("an init statement that is not a declaration", init->getBeginLoc());
      for (const VarDecl* var : vars)
        if (!var->hasInit() || !uniformity_.is_uniform(var->getInit()) || var->getType()->isReferenceType())
          return bad("an init of '" + var->getNameAsString() + "' that may differ between threads", var->getLocation());
    }
    if (loop->getConditionVariable() || !loop->getCond())
      return bad("no plain condition", loop->getBeginLoc());
    if (!uniformity_.is_uniform(loop->getCond()))
      return bad("a condition that may differ between threads", loop->getCond()->getBeginLoc());
    if (const Expr* inc = loop->getInc(); inc && !is_uniform_update(inc, vars))
      return bad("an increment that may differ between threads", inc->getBeginLoc());
    for (const VarDecl* var : vars)
      if (!uniformity_.only_read_in(var, loop->getBody()))
        return bad("a loop variable '" + var->getNameAsString() + "' assigned in its body", var->getLocation());
    if (loop->getInit()) note_refs(loop->getInit(), kSkeleton);
    note_refs(loop->getCond(), kSkeleton);
    if (loop->getInc()) note_refs(loop->getInc(), kSkeleton);
    return true;
  }

  // ++v, v--, v += uniform, v = uniform ... for a variable of the loop.
  bool is_uniform_update(const Expr* inc, const std::vector<const VarDecl*>& vars) const {
    inc = inc->IgnoreParenImpCasts();
    auto is_loop_var = [&](const Expr* e) {
      const auto* ref = dyn_cast<DeclRefExpr>(e->IgnoreParens());
      return ref && std::find(vars.begin(), vars.end(), ref->getDecl()) != vars.end();
    };
    if (const auto* unary = dyn_cast<UnaryOperator>(inc))
      return unary->isIncrementDecrementOp() && is_loop_var(unary->getSubExpr());
    if (const auto* binary = dyn_cast<BinaryOperator>(inc))
      return (binary->isAssignmentOp() || binary->isCompoundAssignmentOp()) && is_loop_var(binary->getLHS()) &&
             uniformity_.is_uniform(binary->getRHS());
    return false;
  }

  void check_parameters() {
    for (const ParmVarDecl* param : kernel_.pattern->parameters())
      if (uniformity_.modified(param))
        add_hazard(Hazard::ModifiedParameter,
                   "parameter '" + param->getNameAsString() +
                       "' is assigned (or its address taken) in a kernel with barriers; each logical thread would "
                       "need its own copy across the barriers; copy it into a local",
                   param->getLocation());
  }

  void check_jumps(const Stmt* body) {
    struct Jumps : RecursiveASTVisitor<Jumps> {
      std::vector<SourceLocation> found;
      bool VisitGotoStmt(GotoStmt* s) { return found.push_back(s->getGotoLoc()), true; }
      bool VisitIndirectGotoStmt(IndirectGotoStmt* s) { return found.push_back(s->getGotoLoc()), true; }
      bool VisitLabelStmt(LabelStmt* s) { return found.push_back(s->getIdentLoc()), true; }
    } jumps;
    jumps.TraverseStmt(const_cast<Stmt*>(body));
    if (!jumps.found.empty())
      add_hazard(Hazard::ControlCrossesBarrier, "goto or a label in a kernel with barriers", jumps.found.front());
  }

  // The region a `return` may leave: the last one of the body, with nothing
  // after it but declarations without effects (no barrier, no other region).
  void mark_last_regions(const CompoundStmt* body) {
    size_t after_last_barrier = 0;
    size_t index = 0;
    for (const Stmt* stmt : body->body()) {
      ++index;
      if (find_barrier(stmt)) after_last_barrier = index;
    }
    Region* last = nullptr;
    for (Region& region : regions_)
      if (region.top_level && (!last || region.first > last->first)) last = &region;
    if (last && last->first >= after_last_barrier) last->last_in_body = true;
  }

  // --- references and control flow inside regions --------------------------

  void note_refs(const Stmt* stmt, int region) {
    struct Refs : RecursiveASTVisitor<Refs> {
      Planner* self;
      int region;
      bool VisitDeclRefExpr(DeclRefExpr* ref) {
        if (const auto* var = dyn_cast<VarDecl>(ref->getDecl())) {
          self->ref_regions_[var].insert(region);
          self->refs_[var].push_back(ref);
        }
        return true;
      }
    } refs;
    refs.self = this;
    refs.region = region;
    refs.TraverseStmt(const_cast<Stmt*>(stmt));
  }

  void scan_region(const Region& region) {
    for (size_t i = region.first; i <= region.last; ++i) {
      const Stmt* stmt = region.parent->body_begin()[i];
      note_refs(stmt, region.id);
      if (const auto* decl = dyn_cast<DeclStmt>(stmt))
        for (const Decl* d : decl->decls())
          if (const auto* var = dyn_cast<VarDecl>(d); var && var->isLocalVarDecl() && !var->isStaticLocal()) {
            decl_region_[var] = region.id;
            decl_stmt_[var] = decl;
          }
      scan_control(stmt, region);
    }
  }

  // Returns, and break/continue that would leave the region.
  void scan_control(const Stmt* stmt, const Region& region) {
    struct Control : RecursiveASTVisitor<Control> {
      Planner* self;
      const Region* region;
      int loops = 0, switches = 0, lambdas = 0;
      bool TraverseLambdaExpr(LambdaExpr* e) {
        ++lambdas;
        bool ok = RecursiveASTVisitor::TraverseLambdaExpr(e);
        --lambdas;
        return ok;
      }
      bool TraverseCXXRecordDecl(CXXRecordDecl*) { return true; }  // local classes: their own returns
      bool TraverseStmt(Stmt* s) {
        const bool loop = isa_and_nonnull<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(s);
        const bool sw = isa_and_nonnull<SwitchStmt>(s);
        loops += loop;
        switches += sw;
        bool ok = RecursiveASTVisitor::TraverseStmt(s);
        loops -= loop;
        switches -= sw;
        return ok;
      }
      bool VisitBreakStmt(BreakStmt* s) {
        if (lambdas == 0 && loops == 0 && switches == 0) self->jump_out(s->getBeginLoc(), "break");
        return true;
      }
      bool VisitContinueStmt(ContinueStmt* s) {
        if (lambdas == 0 && loops == 0) self->jump_out(s->getBeginLoc(), "continue");
        return true;
      }
      bool VisitReturnStmt(ReturnStmt* s) {
        if (lambdas == 0) self->rewrite_return(s, *region);
        return true;
      }
    } control;
    control.self = this;
    control.region = &region;
    control.TraverseStmt(const_cast<Stmt*>(stmt));
  }

  void jump_out(SourceLocation loc, const char* what) {
    add_hazard(Hazard::ControlCrossesBarrier,
               std::string("'") + what + "' leaves a loop that holds a barrier from between two barriers; every "
               "logical thread of the block must take the same path through the barriers",
               loc);
  }

  void rewrite_return(const ReturnStmt* ret, const Region& region) {
    if (!region.last_in_body) {
      add_hazard(Hazard::ReturnBeforeBarrier,
                 "'return' outside the last barrier region of the body: the thread would skip barriers, or code "
                 "that runs in a later loop over the logical threads; guard the code after it with a condition "
                 "instead",
                 ret->getReturnLoc());
      return;
    }
    std::optional<std::vector<CloneTextEdit>> jump = return_as_goto(ret, label_of(region), ctx_);
    if (!jump) {
      add_hazard(Hazard::ReturnInMacroBody,
                 "a 'return' of '" + kernel_.qualified_name +
                     "' is spelled inside a macro; miriamc cannot rewrite it into 'go to the next logical thread'",
                 ret->getReturnLoc());
      return;
    }
    out_.edits.insert(out_.edits.end(), jump->begin(), jump->end());
    needs_label_.insert(region.id);
  }

  static std::string label_of(const Region& region) { return "__miriam_next_slot_" + std::to_string(region.id); }

  // --- values live across regions --------------------------------------------

  std::optional<std::string> storage_type(const VarDecl* var) {
    QualType type = var->getType();
    if (const auto* deduced = type->getContainedDeducedType()) {
      if (deduced->getDeducedType().isNull() || type->isDependentType()) return std::nullopt;
      if (type->getAs<AutoType>() == type.getTypePtr()) type = deduced->getDeducedType();
    }
    if (type->isReferenceType()) return std::nullopt;
    type = type.getUnqualifiedType();
    if (type->isArrayType() && ctx_.getBaseElementType(type).isConstQualified()) return std::nullopt;
    if (const CXXRecordDecl* record = ctx_.getBaseElementType(type)->getAsCXXRecordDecl()) {
      if (record->isLambda() || record->getParentFunctionOrMethod()) return std::nullopt;
      if (!type->isDependentType() && !type.isTriviallyCopyableType(ctx_)) return std::nullopt;
    }
    PrintingPolicy policy(ctx_.getLangOpts());
    policy.SuppressUnwrittenScope = true;
    std::string text = type.getAsString(policy);
    if (text.find("(anonymous") != std::string::npos || text.find("(lambda") != std::string::npos ||
        text.find("(unnamed") != std::string::npos)
      return std::nullopt;
    return text;
  }

  void plan_per_slot_values() {
    for (const auto& [var, regions] : ref_regions_) {
      auto declared = decl_region_.find(var);
      if (declared == decl_region_.end()) continue;  // a parameter, or declared in the skeleton or deeper
      const int home = declared->second;
      const Region& region = regions_[home];
      // Its address must not outlive the region unless the value is kept per slot.
      bool crosses = false;
      for (int r : regions) crosses |= r != home;
      if (!crosses) {
        if (!region.last_in_body && !is_last_in_parent(region))
          for (const DeclRefExpr* ref : refs_[var])
            if (uniformity_.address_escapes(ref)) {
              add_hazard(Hazard::UnsupportedLiveValue,
                         "the address of local '" + var->getNameAsString() +
                             "' is taken before a barrier; the copy it points to would not outlive the slot loop",
                         ref->getLocation());
              break;
            }
        continue;
      }
      if (regions.count(kSkeleton)) {
        add_hazard(Hazard::ThreadVaryingLoopBound,
                   "'" + var->getNameAsString() +
                       "' is read by the header of a loop that holds a barrier, but it may differ between threads",
                   var->getLocation());
        continue;
      }
      plan_per_slot_value(var, regions, home);
    }
  }

  bool is_last_in_parent(const Region& region) const {
    for (size_t i = region.last + 1; i < region.parent->size(); ++i)
      if (find_barrier(region.parent->body_begin()[i])) return false;
    return true;
  }

  void plan_per_slot_value(const VarDecl* var, const std::set<int>& regions, int home) {
    std::optional<std::string> type = storage_type(var);
    const DeclStmt* decl = decl_stmt_.at(var);
    if (!type) {
      add_hazard(Hazard::UnsupportedLiveValue,
                 "local '" + var->getNameAsString() + "' (" + var->getType().getAsString() +
                     ") lives across a barrier, and miriamc cannot keep a copy of it per logical thread "
                     "(references, lambdas, local or non-trivially-copyable types, const arrays)",
                 var->getLocation());
      return;
    }
    if (var->getLocation().isMacroID() || decl->getBeginLoc().isMacroID() || decl->getEndLoc().isMacroID()) {
      add_hazard(Hazard::UnsupportedLiveValue,
                 "local '" + var->getNameAsString() + "' lives across a barrier and is declared inside a macro",
                 var->getLocation());
      return;
    }
    // Later declarators of the statement must not read it: it is renamed.
    for (const DeclRefExpr* ref : refs_[var])
      if (decl->getSourceRange().fullyContains(ref->getSourceRange()) ||
          (ref->getBeginLoc() == decl->getBeginLoc())) {
        add_hazard(Hazard::UnsupportedLiveValue,
                   "local '" + var->getNameAsString() +
                       "' lives across a barrier and is used in its own declaration statement",
                   ref->getLocation());
        return;
      }
    const unsigned id = out_.per_slot_values++;
    const std::string name = var->getNameAsString();
    const std::string slots = "__miriam_slots" + std::to_string(id) + "_" + name;
    const std::string element = slots + ".slot[" + kSlotIndex + "]";
    const std::string init = "__miriam_" + name + "_init";
    const std::string binding = std::string(var->getType().isConstQualified() ? "const auto& " : "auto& ") + name +
                                " = " + element + ";";
    out_.prologue += "    ::miriam::ShrunkSlots<" + *type + "> " + slots + ";  // '" + name +
                     "' lives across a barrier: one copy per logical thread\n";
    // In its own region: the declaration initializes a temporary, stored
    // into the slot's copy, which the name then refers to.
    out_.edits.push_back({var->getLocation(), static_cast<unsigned>(name.size()), init});
    std::string after = var->hasInit() ? " ::miriam::shrunk_store(" + element + ", " + init + "); "
                                       : " (void)" + init + "; ";
    std::optional<SourceLocation> end = loc_after(decl);
    if (!end) {
      add_hazard(Hazard::UnsupportedLiveValue, "cannot locate the end of the declaration of '" + name + "'",
                 var->getLocation());
      return;
    }
    out_.edits.push_back({*end, 0, after + binding + " (void)" + name + ";"});
    for (int r : regions)
      if (r != home) bindings_[r] += " " + binding;
  }

  // --- text ------------------------------------------------------------------

  // The file location just after `stmt`'s text, its ';' included.
  std::optional<SourceLocation> loc_after(const Stmt* stmt) const {
    CharSourceRange range =
        Lexer::makeFileCharRange(CharSourceRange::getTokenRange(stmt->getSourceRange()), sm_, ctx_.getLangOpts());
    if (range.isInvalid()) return std::nullopt;
    SourceLocation end = range.getEnd();
    if (!needs_semicolon(stmt)) return end;
    std::optional<Token> next = Lexer::findNextToken(end.getLocWithOffset(-1), sm_, ctx_.getLangOpts());
    if (!next || !next->is(tok::semi) || next->getLocation().isMacroID()) return std::nullopt;
    return next->getLocation().getLocWithOffset(1);
  }

  // Where a region's loop opens: after the statement before it, or after '{'.
  std::optional<SourceLocation> loc_before(const Region& region) const {
    if (region.first == 0) {
      SourceLocation brace = region.parent->getLBracLoc();
      if (brace.isMacroID()) return std::nullopt;
      return brace.getLocWithOffset(1);
    }
    return loc_after(region.parent->body_begin()[region.first - 1]);
  }

  void emit_regions() {
    if (!out_.hazards.empty()) return;
    for (const Region& region : regions_) {
      std::optional<SourceLocation> open = loc_before(region);
      std::optional<SourceLocation> close = loc_after(region.parent->body_begin()[region.last]);
      if (!open || !close) {
        add_hazard(Hazard::MacroDefinedFunction,
                   "cannot locate the statements of a barrier region in the file text (macro)",
                   region.parent->body_begin()[region.first]->getBeginLoc());
        return;
      }
      // One line each, so that the #line mapping of the body stays exact.
      std::string head = std::string(" for (unsigned ") + kSlotIndex + " = 0; " + kSlotIndex + " < " +
                         kShrinkParam + ".factor; ++" + kSlotIndex + ") { const uint3 threadIdx = "
                         "::miriam::shrunk_thread_index(" + kShrinkParam + ", " + kPhysicalThread + ", " +
                         kSlotIndex + "); (void)threadIdx;" + thread_value() + param_copies() +
                         bindings_[region.id] + " { ";
      std::string tail = needs_label_.count(region.id) ? " } " + label_of(region) + ": ; } " : " } } ";
      out_.edits.push_back({*open, 0, head});
      out_.edits.push_back({*close, 0, tail});
    }
  }

  // What calls to device functions reading threadIdx/blockDim pass them.
  std::string thread_value() const {
    if (!passes_thread_) return "";
    return " const ::miriam::LogicalThread __miriam_thread = ::miriam::logical_thread(threadIdx, blockDim);";
  }

  // A kernel without barriers may assign its parameters: each slot starts
  // from a fresh copy of the argument.
  std::string param_copies() {
    if (has_barriers_) return "";
    std::string out;
    for (const ParmVarDecl* param : kernel_.pattern->parameters()) {
      if (!uniformity_.modified(param) || param->getName().empty()) continue;
      const std::string name = param->getNameAsString();
      if (copied_params_.insert(name).second)
        out_.prologue += "    const auto __miriam_param_" + name + " = " + name + ";\n";
      out += " auto " + name + " = __miriam_param_" + name + ";";
    }
    return out;
  }

  const KernelInfo& kernel_;
  TranslationUnitAnalysis& analysis_;
  ASTContext& ctx_;
  const SourceManager& sm_;
  Uniformity uniformity_;
  bool passes_thread_ = false;
  SlotPlan out_;
  bool has_barriers_ = false;
  std::vector<Region> regions_;
  std::map<const ForStmt*, std::vector<const VarDecl*>> loop_vars_;
  std::map<const VarDecl*, std::set<int>> ref_regions_;
  std::map<const VarDecl*, std::vector<const DeclRefExpr*>> refs_;
  std::map<const VarDecl*, int> decl_region_;
  std::map<const VarDecl*, const DeclStmt*> decl_stmt_;
  std::map<int, std::string> bindings_;
  std::set<int> needs_label_;
  std::set<std::string> copied_params_;
};

}  // namespace

SlotPlan plan_slot_regions(const KernelInfo& kernel, const BuiltinRewritePlan& plan,
                           TranslationUnitAnalysis& analysis) {
  return Planner(kernel, plan, analysis).run();
}

}  // namespace miriam
