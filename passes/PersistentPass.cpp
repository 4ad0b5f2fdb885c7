#include "PersistentPass.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/AST/Stmt.h>
#include <clang/Basic/SourceManager.h>

#include <set>

#include "GridSlicePass.h"
#include "LogicalGridRewrite.h"
#include "Naming.h"
#include "ReturnRewrite.h"
#include "TemplateRenderer.h"
#include "miriam/Templates.inc"

namespace miriam {

namespace {

constexpr const char* kNextBlockLabel = "__miriam_next_block";

// What the persistent loop cannot emulate: code that depends on the physical
// SM or warp, on every block of the grid being resident at once, or on
// launching work from the device.
void add_residency_hazards(const KernelInfo& kernel, TranslationUnitAnalysis& analysis,
                           std::vector<HazardRecord>& hazards) {
  for (const clang::FunctionDecl* key : analysis.reachable_from(kernel.pattern)) {
    const FunctionFacts& f = analysis.facts(key);
    for (clang::SourceLocation loc : f.asm_smid_reads)
      hazards.push_back(analysis.hazard(Hazard::InlineAsmSmid,
                                        "inline asm in '" + qualified_name(key) +
                                            "' reads %smid/%warpid: a persistent block runs many logical blocks "
                                            "on one SM, so logic keyed on the SM or warp would change",
                                        loc));
    for (clang::SourceLocation loc : f.device_launches)
      hazards.push_back(analysis.hazard(Hazard::DynamicParallelism,
                                        "'" + qualified_name(key) +
                                            "' launches kernels from the device (dynamic parallelism); a stopped "
                                            "persistent kernel cannot account for its child grids",
                                        loc));
  }
  std::vector<HazardRecord> spins = analysis.spin_wait_hazards(kernel);
  hazards.insert(hazards.end(), spins.begin(), spins.end());
}

// `return` in the kernel body means "done with this logical block".
std::vector<CloneTextEdit> rewrite_returns(const KernelInfo& kernel, const FunctionFacts& own, EmitContext& emit,
                                           std::vector<HazardRecord>& hazards) {
  std::vector<CloneTextEdit> edits;
  for (const clang::ReturnStmt* ret : own.return_stmts) {
    std::optional<std::vector<CloneTextEdit>> jump = return_as_goto(ret, kNextBlockLabel, emit.ast());
    if (!jump) {
      hazards.push_back(emit.analysis().hazard(Hazard::ReturnInMacroBody,
                                               "a 'return' of '" + kernel.qualified_name +
                                                   "' is spelled inside a macro; miriamc cannot rewrite it into "
                                                   "'go to the next logical block'",
                                               ret->getReturnLoc()));
      continue;
    }
    edits.insert(edits.end(), jump->begin(), jump->end());
  }
  return edits;
}

// The kernel's parameters its own body reads, in declaration order.
std::vector<const clang::ParmVarDecl*> parameters_read(const clang::FunctionDecl* kernel) {
  struct Visitor : clang::RecursiveASTVisitor<Visitor> {
    std::set<const clang::ParmVarDecl*> read;
    bool VisitDeclRefExpr(clang::DeclRefExpr* ref) {
      if (const auto* param = llvm::dyn_cast<clang::ParmVarDecl>(ref->getDecl())) read.insert(param);
      return true;
    }
  } visitor;
  visitor.TraverseStmt(kernel->getBody());
  std::vector<const clang::ParmVarDecl*> out;
  for (const clang::ParmVarDecl* param : kernel->parameters())
    if (visitor.read.count(param)) out.push_back(param);
  return out;
}

// Each logical block starts from the launch's parameter values, as each block
// of the original grid does (the body may modify its parameters). A copy per
// logical block, declared in two steps because `T x = f(x);` would read the
// new `x`: an opaque copy in the loop's scope, then a local of the
// parameter's own type (decltype keeps const and __restrict__) that shadows
// the parameter in the body's scope. In the block loop the copy is opaque
// (persistent_fresh), so what the body derives from parameters is recomputed
// per logical block instead of being hoisted and held in registers across the
// whole loop. In the chunk loop it is plain: the opaque copies of all
// parameters are live at once where they are made, which set the kernel's
// register peak (ptxas, sm_90: max pool 38 registers with them, 32 without,
// as the original; 6 instead of 8 blocks of 256 threads per SM).
struct FreshCopies {
  std::string loop_scope;
  std::string body_scope;
};

FreshCopies fresh_copies(const KernelInfo& kernel, bool opaque, EmitContext& emit,
                         std::vector<HazardRecord>& hazards) {
  FreshCopies out;
  for (const clang::ParmVarDecl* param : parameters_read(kernel.pattern)) {
    const std::string name = param->getNameAsString();
    if (param->isParameterPack()) {
      hazards.push_back(emit.analysis().hazard(
          Hazard::ParameterPackInLoop,
          "parameter pack '" + name + "' of '" + kernel.qualified_name +
              "' is read by the body; miriamc cannot give each logical block a fresh copy of it",
          param->getLocation()));
      continue;
    }
    out.loop_scope += "    const auto __miriam_fresh_" + name + " = " +
                      (opaque ? "::miriam::persistent_fresh(" + name + ")" : name) + ";\n";
    out.body_scope += "    decltype(" + name + ") " + name + " = __miriam_fresh_" + name + ";\n";
  }
  if (!out.loop_scope.empty()) {
    const char* heading =
        opaque ? "    // opaque copies: what the body derives from them is not hoisted out of the loop\n"
               : "    // plain copies (see fresh_copies)\n";
    out.loop_scope = heading + out.loop_scope;
    out.body_scope = "    // this logical block's own parameters (the body may modify them)\n" + out.body_scope;
  }
  return out;
}

// Bodiless functions whose effects are known not to involve the block:
// libdevice math (__nv_*), printf's and assert's runtime calls.
bool known_block_neutral(const clang::FunctionDecl* fn) {
  if (!fn->getIdentifier()) return false;
  const llvm::StringRef name = fn->getName();
  return name.starts_with("__nv_") || name == "vprintf" || name == "__assertfail" || name == "__assert_fail";
}

// Whether the logical blocks of a physical block may run back to back with no
// barrier between them (the chunk loop): nothing the kernel reaches shares
// anything among a block's threads or depends on them being in step (shared
// memory, barriers, warp-level operations, cooperative groups), nor could
// (inline asm, calls we cannot see into). Otherwise the block loop's barrier
// per logical block stays: it is what separates two logical blocks' use of
// shared memory and keeps a block's threads in the same logical block.
bool logical_blocks_share_nothing(const KernelInfo& kernel, TranslationUnitAnalysis& analysis) {
  for (const clang::FunctionDecl* key : analysis.reachable_from(kernel.pattern)) {
    const FunctionFacts& f = analysis.facts(key);
    if (f.dynamic_shared_memory || f.static_shared_memory || f.inline_asm || f.barriers || f.warp_level_ops ||
        f.cooperative_groups || !f.grid_syncs.empty() || !f.indirect_calls.empty() || !f.unresolved_calls.empty())
      return false;
    if (!f.has_body && !known_block_neutral(key)) return false;
  }
  return true;
}

}  // namespace

PassResult PersistentPass::run(const KernelInfo& kernel, EmitContext& emit) {
  TranslationUnitAnalysis& analysis = emit.analysis();
  BuiltinRewritePlan plan = analysis.plan_builtin_rewrite(kernel, logical_grid_builtins());
  std::vector<HazardRecord> hazards = kernel.hazards;
  hazards.insert(hazards.end(), plan.hazards.begin(), plan.hazards.end());
  add_residency_hazards(kernel, analysis, hazards);

  // A thread that returns early in the original has exited: barriers (and
  // full-mask warp operations) no longer wait for it. In the loop it is alive
  // and waiting at the end of the iteration, so its block-mates would hang at
  // the body's barrier. Only a final `return` is harmless.
  const FunctionFacts& own = analysis.facts(kernel.pattern);
  if (kernel.features.early_return && (kernel.features.barriers || kernel.features.warp_level_ops)) {
    const auto* body = llvm::dyn_cast_or_null<clang::CompoundStmt>(kernel.pattern->getBody());
    const clang::Stmt* last = body && !body->body_empty() ? body->body_back() : nullptr;
    for (const clang::ReturnStmt* ret : own.return_stmts) {
      if (ret == last) continue;
      hazards.push_back(analysis.hazard(
          Hazard::ReturnBeforeBarrier,
          std::string("early 'return' in a kernel whose code has ") +
              (kernel.features.barriers ? "barriers" : "warp-level synchronizing operations") +
              ": the original relies on exited threads no longer counting; in a persistent loop the thread "
              "stays alive and its block-mates would wait for it",
          ret->getReturnLoc()));
      break;
    }
  }
  std::vector<CloneTextEdit> return_edits = rewrite_returns(kernel, own, emit, hazards);
  const bool chunk_loop = chunk_loop_ && logical_blocks_share_nothing(kernel, analysis);
  const FreshCopies fresh = fresh_copies(kernel, /*opaque=*/!chunk_loop, emit, hazards);
  if (!hazards.empty()) return PassRefusal{std::move(hazards)};

  CloneRequest request;
  request.leading_param = "::miriam::PersistentControl* __miriam_ctrl, const ::miriam::Slice __miriam_slice";
  request.prologue = render_template(chunk_loop ? templates::kPersistentChunkPrologue : templates::kPersistentPrologue,
                                     {{"shadows", logical_grid_shadows(plan.kernel_reads)},
                                      {"fresh", fresh.loop_scope},
                                      {"params", fresh.body_scope}});
  // In the chunk loop the label ends the inner loop's body: it needs a statement.
  std::string label = return_edits.empty() ? std::string()
                                           : std::string("    ") + kNextBlockLabel + (chunk_loop ? ":;" : ":") +
                                                 "  // where `return` in the body goes\n";
  request.epilogue =
      render_template(chunk_loop ? templates::kPersistentChunkEpilogue : templates::kPersistentEpilogue,
                      {{"label", label}});
  request.body_edits = std::move(return_edits);
  // One-wave launches skip the loop: the original kernel runs one of the whole
  // grid, and the sliced helper any other, when this file has one for the kernel.
  TemplateValues helper_values = {{"whole_grid", templates::kPersistentWholeGrid},
                                  {"original", qualified_ref(kernel.pattern)},
                                  {"loop_free", ""}};
  if (emit.has_variant(kernel.pattern, "sliced")) {
    helper_values["loop_free"] = templates::kPersistentLoopFree;
    helper_values["sliced_helper"] = kernel.name + kSlicedHelperSuffix;
  }
  PassResult result = emit_logical_grid_variant(
      kernel, plan, std::move(request),
      {kind(), "__miriam_persistent", "__miriam_launch_persistent", templates::kPersistentLaunchHelper,
       "launch.physical_blocks blocks run logical blocks [slice.begin, slice.end), preemptible between logical "
       "blocks",
       {{"__miriam_ctrl", "miriam::PersistentControl*", 0}, {"__miriam_slice", "miriam::Slice", 1}},
       std::move(helper_values)},
      emit);
  if (auto* record = std::get_if<VariantRecord>(&result)) record->loop = chunk_loop ? "chunks" : "blocks";
  return result;
}

}  // namespace miriam
