#include "ShrinkPass.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/RecursiveASTVisitor.h>

#include <set>

#include "LogicalGridRewrite.h"
#include "Naming.h"
#include "SlotRegions.h"
#include "TemplateRenderer.h"
#include "VariantEmitter.h"
#include "miriam/Templates.inc"

namespace miriam {

namespace {

// A shrunk variant also runs a slice of the grid (::miriam::Slice, as the
// sliced variant): it answers all four builtins logically.
BuiltinReads logical_grid_and_thread_builtins() { return BuiltinReads{true, true, true, true}; }

std::string logical_thread_shadows(BuiltinReads reads) {
  std::string shadows;
  if (reads.thread_idx) shadows += "    const uint3 threadIdx = __miriam_thread.thread;\n";
  if (reads.block_dim) shadows += "    const dim3 blockDim = __miriam_thread.block;\n";
  if (shadows.empty()) shadows = "    (void)__miriam_thread;\n";
  return shadows;
}

std::string sliced_shrunk_callee_prologue(BuiltinReads reads) {
  return render_template(templates::kCalleePrologue, {{"shadows", logical_grid_shadows(reads)}}) +
         render_template(templates::kShrunkCalleePrologue, {{"shadows", logical_thread_shadows(reads)}});
}

// Device functions reading any of the builtins take the logical grid and the
// logical thread first. Every call of them is inside a slot loop (a call is
// never uniform code), where the kernel names both.
const CalleeCloneStyle& sliced_shrunk_clone_style() {
  static const CalleeCloneStyle style{
      "__miriam_lgt",
      "const ::miriam::LogicalGrid __miriam_grid, const ::miriam::LogicalThread __miriam_thread",
      "__miriam_grid, __miriam_thread",
      "with blockIdx/gridDim/threadIdx/blockDim taken from the logical block and thread of the shrunk variant "
      "calling it",
      sliced_shrunk_callee_prologue};
  return style;
}

// Warp-synchronous code written with volatile shared memory instead of
// intrinsics: it assumes the 32 threads of a warp run in lockstep.
std::vector<clang::SourceLocation> volatile_shared_accesses(const clang::FunctionDecl* kernel) {
  struct Finder : clang::RecursiveASTVisitor<Finder> {
    std::vector<clang::SourceLocation> found;
    static bool reads_shared(const clang::Stmt* stmt) {
      struct Shared : clang::RecursiveASTVisitor<Shared> {
        bool any = false;
        bool VisitDeclRefExpr(clang::DeclRefExpr* ref) {
          if (const auto* var = llvm::dyn_cast<clang::VarDecl>(ref->getDecl()))
            any |= var->hasAttr<clang::CUDASharedAttr>();
          return true;
        }
      } shared;
      shared.TraverseStmt(const_cast<clang::Stmt*>(stmt));
      return shared.any;
    }
    static bool volatile_pointee(clang::QualType type) {
      return type->isPointerType() && type->getPointeeType().isVolatileQualified();
    }
    bool VisitVarDecl(clang::VarDecl* var) {
      if ((var->hasAttr<clang::CUDASharedAttr>() && var->getType().isVolatileQualified()) ||
          (volatile_pointee(var->getType()) && var->getInit() && reads_shared(var->getInit())))
        found.push_back(var->getLocation());
      return true;
    }
    bool VisitExplicitCastExpr(clang::ExplicitCastExpr* cast) {
      if (volatile_pointee(cast->getType()) && reads_shared(cast->getSubExpr())) found.push_back(cast->getBeginLoc());
      return true;
    }
  } finder;
  finder.TraverseStmt(kernel->getBody());
  return finder.found;
}

// What one physical thread running several logical threads cannot emulate:
// anything that depends on which threads share a warp, and barriers it
// cannot see in the kernel's own body.
void add_lane_hazards(const KernelInfo& kernel, TranslationUnitAnalysis& analysis,
                      std::vector<HazardRecord>& hazards) {
  // Inside CUDA's headers one construct shows up in a chain of helpers:
  // report the first of each kind there, every one in the user's code.
  std::set<Hazard> reported_in_headers;
  auto add = [&](HazardRecord record, bool in_header) {
    if (in_header && !reported_in_headers.insert(record.hazard).second) return;
    hazards.push_back(std::move(record));
  };
  for (const clang::FunctionDecl* key : analysis.reachable_from(kernel.pattern)) {
    const FunctionFacts& f = analysis.facts(key);
    const bool header = f.in_system_header;
    for (clang::SourceLocation loc : f.warp_level_calls)
      add(analysis.hazard(Hazard::WarpLevelOperation,
                          "warp-level operation in '" + qualified_name(key) +
                              "' (shuffle, vote, match, warp barrier or warp tile): the logical threads of a "
                              "warp no longer run together in one warp",
                          loc),
          header);
    for (clang::SourceLocation loc : f.asm_smid_reads)
      add(analysis.hazard(Hazard::InlineAsmThreadRegister,
                          "inline asm in '" + qualified_name(key) + "' reads %warpid/%smid: logical threads change warps",
                          loc),
          header);
    if (key != kernel.pattern && f.barriers)
      add(analysis.hazard(Hazard::BarrierInCallee,
                          "'" + qualified_name(key) +
                              "' holds a barrier; miriamc splits only barriers written in the kernel's own body",
                          key->getLocation()),
          header);
  }
  for (clang::SourceLocation loc : volatile_shared_accesses(kernel.pattern))
    hazards.push_back(analysis.hazard(Hazard::WarpLevelOperation,
                                      "volatile access to shared memory: warp-synchronous code that assumes the "
                                      "threads of a warp run in lockstep",
                                      loc));
}

}  // namespace

PassResult ShrinkPass::run(const KernelInfo& kernel, EmitContext& emit) {
  TranslationUnitAnalysis& analysis = emit.analysis();
  BuiltinRewritePlan plan = analysis.plan_builtin_rewrite(kernel, logical_grid_and_thread_builtins());
  std::vector<HazardRecord> hazards = kernel.hazards;
  hazards.insert(hazards.end(), plan.hazards.begin(), plan.hazards.end());
  // What refuses slicing refuses this variant too: it runs slices.
  std::vector<HazardRecord> spins = analysis.spin_wait_hazards(kernel);
  hazards.insert(hazards.end(), spins.begin(), spins.end());
  add_lane_hazards(kernel, analysis, hazards);
  if (!hazards.empty()) return PassRefusal{std::move(hazards)};

  SlotPlan slots = plan_slot_regions(kernel, plan, analysis);
  if (!slots.hazards.empty()) return PassRefusal{std::move(slots.hazards)};

  CloneRequest request;
  request.leading_param = std::string("const ::miriam::Slice __miriam_slice, const ::miriam::Shrink ") + kShrinkParam;
  // The slice's prologue first: a physical block past the slice leaves
  // before any slot loop or barrier, as a whole block.
  request.prologue =
      render_template(templates::kSlicedPrologue, {{"shadows", logical_grid_shadows(plan.kernel_reads)}}) +
      render_template(templates::kShrunkPrologue, {{"storage", slots.prologue}});
  request.body_edits = std::move(slots.edits);
  const bool limited = slots.per_slot_values > 0;
  ElasticVariant variant{
      kind(),
      "__miriam_shrunk",
      "__miriam_launch_shrunk",
      templates::kShrunkLaunchHelper,
      "runs logical blocks [slice.begin, slice.end) of the original grid, each physical thread running "
      "shrink.factor threads of the original block",
      {{"__miriam_slice", "miriam::Slice", 0}, {kShrinkParam, "miriam::Shrink", 1}},
      {{"max_factor", limited ? "::miriam::kMaxShrinkFactor" : "0"},
       {"factor_limit", limited ? " and are at most ::miriam::kMaxShrinkFactor (values kept per thread across "
                                  "barriers)"
                                : ""}}};
  PassResult result = emit_elastic_variant(kernel, plan, std::move(request), variant, sliced_shrunk_clone_style(), emit);
  if (auto* record = std::get_if<VariantRecord>(&result)) {
    ShrinkInfo info;
    info.max_factor = limited ? kMaxShrinkFactor : 0;
    info.barrier_regions = slots.regions;
    info.barriers = slots.barriers;
    info.per_thread_values = slots.per_slot_values;
    info.combines_with = {"sliced"};
    record->shrink = info;
  }
  return result;
}

}  // namespace miriam
