// What the analysis phase learns about each kernel of a translation unit.
// Passes read this; they never walk the AST for facts the analysis owns.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <clang/Basic/SourceLocation.h>

#include "BuiltinVars.h"

namespace clang {
class FunctionDecl;
class FunctionTemplateDecl;
}  // namespace clang

namespace miriam {

struct SourcePosition {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
};

struct ParamInfo {
  std::string name;
  std::string type;
  std::optional<unsigned long long> size;       // bytes; empty when dependent
  std::optional<unsigned long long> alignment;  // bytes; empty when dependent
};

struct InstantiationInfo {
  const clang::FunctionDecl* decl = nullptr;
  std::string mangled;
  std::string template_args;  // "" for non-templates
  std::string qualified_ref;  // how host code names it: "::ns::k<float>"
  std::vector<ParamInfo> params;
  unsigned long long static_shared_bytes = 0;
};

// The builtin variables a pass may need to answer with logical values.
struct BuiltinReads {
  bool block_idx = false;
  bool grid_dim = false;
  bool thread_idx = false;
  bool block_dim = false;

  bool any() const { return block_idx || grid_dim || thread_idx || block_dim; }
  bool has(BuiltinVar var) const {
    switch (var) {
      case BuiltinVar::BlockIdx: return block_idx;
      case BuiltinVar::GridDim: return grid_dim;
      case BuiltinVar::ThreadIdx: return thread_idx;
      case BuiltinVar::BlockDim: return block_dim;
      default: return false;
    }
  }
  void add(BuiltinVar var) {
    block_idx |= var == BuiltinVar::BlockIdx;
    grid_dim |= var == BuiltinVar::GridDim;
    thread_idx |= var == BuiltinVar::ThreadIdx;
    block_dim |= var == BuiltinVar::BlockDim;
  }
  BuiltinReads& operator|=(const BuiltinReads& other) {
    block_idx |= other.block_idx;
    grid_dim |= other.grid_dim;
    thread_idx |= other.thread_idx;
    block_dim |= other.block_dim;
    return *this;
  }
  BuiltinReads operator&(const BuiltinReads& other) const {
    return {block_idx && other.block_idx, grid_dim && other.grid_dim, thread_idx && other.thread_idx,
            block_dim && other.block_dim};
  }
  bool operator==(const BuiltinReads& other) const {
    return block_idx == other.block_idx && grid_dim == other.grid_dim && thread_idx == other.thread_idx &&
           block_dim == other.block_dim;
  }
};

struct KernelFeatures {
  bool barriers = false;
  bool warp_level_ops = false;
  bool atomics = false;
  bool dynamic_shared_memory = false;
  bool static_shared_memory = false;
  bool early_return = false;
  bool grid_sync = false;
  bool cooperative_groups = false;
  BuiltinReads reads;  // in the kernel's own body
  std::vector<std::string> device_callees_reading_builtins;  // qualified names
};

// A reason a transformation cannot be proven correct for a kernel, tied to the
// source construct that causes it. Analysis records these per concern; each
// pass decides which ones block it.
enum class Hazard {
  GridSync,                 // this_grid().sync() and friends
  HeaderReadsGridBuiltin,   // a function outside the user's files reads blockIdx/gridDim
  HeaderReadsBlockBuiltin,  // ... reads threadIdx/blockDim
  IndirectCall,             // call through a pointer: callee unknown
  AddressOfBuiltinReader,   // address of a function that reads builtins is taken
  MemberReadsBuiltin,       // a member function reads builtins (cannot be cloned)
  InlineAsmGridRegister,    // asm reads %ctaid/%nctaid/...
  InlineAsmSmid,            // asm reads %smid / %warpid
  CaptureLessLambdaReadsBuiltin,
  LocalClassReadsBuiltin,
  BuiltinNameShadowed,      // a declaration in the kernel/callee is named like a builtin
  MacroDefinedFunction,     // the kernel/callee text comes from a macro expansion
  CallInMacroBody,          // a call that must be redirected is spelled inside a #define
  UnresolvedTemplateCall,   // dependent call in a template kernel with no instantiation here
  ExplicitSpecialization,   // a template kernel with an explicit specialization
  MixedCallTargets,         // one call site reaches cloned and uncloned callees
  SpinWaitOnGlobal,         // volatile/atomic spin loop on global memory
  DynamicParallelism,       // a kernel launch from device code
  ReturnBeforeBarrier,      // early return in a kernel whose reachable code has barriers
  ReturnInMacroBody,        // a kernel `return` spelled inside a #define
  ParameterPackInLoop,      // a kernel parameter pack read by a body that runs once per logical block
  // Block shrinking (one physical thread runs several logical threads):
  WarpLevelOperation,       // shuffles, votes, warp-synchronous code: lanes change
  InlineAsmThreadRegister,  // asm reads %tid/%ntid/%laneid/...
  BarrierInControlFlow,     // a barrier miriamc cannot prove every thread reaches together
  BarrierInCallee,          // a barrier inside a called function
  ThreadVaryingLoopBound,   // a loop holding a barrier whose header may differ per thread
  ControlCrossesBarrier,    // break/continue/goto leaving a barrier region
  UnsupportedLiveValue,     // a value live across a barrier miriamc cannot keep per thread
  ModifiedParameter,        // a parameter assigned in a kernel with barriers
};

struct HazardRecord {
  Hazard hazard;
  std::string message;  // human-readable, names the construct
  SourcePosition where;
  clang::SourceLocation loc;  // for clang-style diagnostics with a caret
};

struct KernelInfo {
  std::string name;
  std::string qualified_name;     // "ns::k" (anonymous namespaces omitted)
  std::string qualified_ref;      // "::ns::k" (for host code at file scope)
  SourcePosition location;
  bool is_template = false;
  bool internal_linkage = false;
  const clang::FunctionDecl* pattern = nullptr;  // the definition as written
  const clang::FunctionTemplateDecl* template_decl = nullptr;
  std::vector<ParamInfo> params;  // as written
  std::vector<InstantiationInfo> instantiations;
  std::optional<long long> max_threads_per_block;  // __launch_bounds__
  std::optional<long long> min_blocks_per_sm;
  bool has_launch_bounds = false;
  KernelFeatures features;
  std::vector<HazardRecord> hazards;
};

}  // namespace miriam
