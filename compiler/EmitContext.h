// What a pass works with while it emits a variant: the analysis, the one edit
// set of the output file, and the clone builder.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "Analysis.h"
#include "CloneBuilder.h"
#include "EditSet.h"
#include "KernelModel.h"

namespace clang {
class ASTContext;
class FunctionDecl;
}  // namespace clang

namespace miriam {

struct ExtraParam {
  std::string name;
  std::string type;
  unsigned position = 0;
};

// How a shrunk variant may be launched (see miriam/elastic.cuh, ShrunkLaunch).
struct ShrinkInfo {
  unsigned max_factor = 0;         // 0: any factor dividing the shrunk extent
  unsigned barrier_regions = 0;    // slot loops in the body
  unsigned barriers = 0;           // __syncthreads() statements kept
  unsigned per_thread_values = 0;  // locals kept per logical thread across barriers
  // Variant kinds whose launch parameters this variant also takes ("sliced":
  // a slice of logical blocks, miriam::ShrunkLaunch::begin/end).
  std::vector<std::string> combines_with;
};

// Mirrors ::miriam::kMaxShrinkFactor of miriam/elastic.cuh.
inline constexpr unsigned kMaxShrinkFactor = 8;

// One elastic variant a pass emitted for a kernel.
struct VariantRecord {
  std::string kind;           // "sliced", ...
  std::string entry;          // "ns::k__miriam_sliced"
  std::string entry_ref;      // "::ns::k__miriam_sliced" (template arguments appended per instantiation)
  std::string launch_helper;  // "ns::k__miriam_launch_sliced", or empty
  std::vector<ExtraParam> extra_params;
  std::vector<std::string> mangled;  // per instantiation, filled by the verification parse
  std::optional<ShrinkInfo> shrink;  // kind "shrunk" only
  // Kind "persistent" only: "blocks" (a barrier after each logical block) or
  // "chunks" (a claimed chunk's logical blocks back to back, one barrier per chunk).
  std::string loop;
};

struct RefusalRecord {
  std::string kind;
  std::string reason;
  SourcePosition where;
};

class EmitContext {
 public:
  EmitContext(clang::ASTContext& ast, TranslationUnitAnalysis& analysis, EditSet& edits, std::string output_name);

  clang::ASTContext& ast() { return ast_; }
  TranslationUnitAnalysis& analysis() { return analysis_; }
  const CloneBuilder& cloner() const { return cloner_; }

  // Inserts `text` as its own block after `decl`, with #line directives so
  // that nvcc attributes the block to the emitted file and what follows to
  // the user's source again. False with `error` set on failure.
  bool insert_after(const clang::FunctionDecl* decl, const std::string& text, const std::string& origin,
                    std::string& error);

  // True the first time a (function, clone suffix) pair is claimed: each
  // device function is cloned once per suffix however many kernels reach it.
  bool claim_clone(const clang::FunctionDecl* key, const std::string& suffix) {
    return cloned_.insert({key, suffix}).second;
  }

  // The variant kinds emitted so far for a kernel, in pass order: a later
  // pass may build on an earlier one (the persistent helper hands one-wave
  // launches to the sliced variant's helper, declared above it).
  void note_variant(const clang::FunctionDecl* kernel, const std::string& kind) { emitted_.insert({kernel, kind}); }
  bool has_variant(const clang::FunctionDecl* kernel, const std::string& kind) const {
    return emitted_.count({kernel, kind}) != 0;
  }

 private:
  clang::ASTContext& ast_;
  TranslationUnitAnalysis& analysis_;
  EditSet& edits_;
  std::string output_name_;
  CloneBuilder cloner_;
  std::set<std::pair<const clang::FunctionDecl*, std::string>> cloned_;
  std::set<std::pair<const clang::FunctionDecl*, std::string>> emitted_;
};

}  // namespace miriam
