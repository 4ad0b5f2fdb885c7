// The whole-translation-unit analysis phase: finds the kernels of the user's
// file, gathers their facts, and plans what a pass must rewrite to make
// builtin reads return logical values. Runs before any edit is made.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <vector>

#include "FunctionFacts.h"
#include "KernelModel.h"

namespace clang {
class ASTContext;
class FunctionDecl;
class MangleContext;
}  // namespace clang

namespace miriam {

// Everything needed to make every read of some builtins in one kernel (and in
// every __device__ function it reaches) return logical values.
struct BuiltinRewritePlan {
  std::vector<HazardRecord> hazards;  // non-empty: the rewrite cannot be proven complete
  BuiltinReads kernel_reads;          // the kernel body's own reads of the chosen builtins
  // Device functions of the user's file to clone (keys), each with its reads.
  std::vector<std::pair<const clang::FunctionDecl*, BuiltinReads>> cloned_functions;
  // Calls to redirect to a clone, by the function (key) whose body holds them.
  std::map<const clang::FunctionDecl*, std::vector<CallSite>> redirected_calls;
};

class TranslationUnitAnalysis {
 public:
  explicit TranslationUnitAnalysis(clang::ASTContext& ctx);
  ~TranslationUnitAnalysis();

  std::vector<KernelInfo>& kernels() { return kernels_; }
  const FunctionFacts& facts(const clang::FunctionDecl* key);

  // `which` selects the builtins to answer logically (blockIdx/gridDim for
  // slicing and persistence, threadIdx/blockDim for block shrinking).
  BuiltinRewritePlan plan_builtin_rewrite(const KernelInfo& kernel, BuiltinReads which);

  // Loops anywhere the kernel reaches that spin on a location other blocks
  // write: they assume co-resident blocks (see SpinWait.h).
  std::vector<HazardRecord> spin_wait_hazards(const KernelInfo& kernel);

  // The kernel's function (key) and every function it may call, kernel first.
  std::vector<const clang::FunctionDecl*> reachable_from(const clang::FunctionDecl* key);
  HazardRecord hazard(Hazard kind, std::string message, clang::SourceLocation where);

  clang::ASTContext& context() { return ctx_; }

 private:
  void discover_kernels();
  KernelInfo describe_kernel(const clang::FunctionDecl* fn);

  clang::ASTContext& ctx_;
  std::unique_ptr<clang::MangleContext> mangler_;
  std::map<const clang::FunctionDecl*, std::unique_ptr<FunctionFacts>> facts_;
  std::vector<KernelInfo> kernels_;
};

}  // namespace miriam
