// Facts about one function body (and, for templates, every instantiation of
// it in the translation unit), gathered once and shared by all kernels that
// reach the function.
#pragma once

#include <string>
#include <vector>

#include <clang/Basic/SourceLocation.h>

#include "BuiltinVars.h"
#include "KernelModel.h"

namespace clang {
class ASTContext;
class FunctionDecl;
class ReturnStmt;
class SourceManager;
}  // namespace clang

namespace miriam {

// A direct call, with the locations a pass needs to redirect it.
struct CallSite {
  const clang::FunctionDecl* callee = nullptr;  // its key (see function_key)
  clang::SourceLocation name_loc;               // the callee's name in the call
  clang::SourceLocation first_arg_loc;          // invalid when no explicit argument
  clang::SourceLocation rparen_loc;
};

struct BuiltinUse {
  BuiltinVar var = BuiltinVar::None;
  clang::SourceLocation loc;
  bool in_captureless_lambda = false;  // the lambda cannot see a shadowing local
  bool in_local_class = false;         // neither can a local class's method
};

struct FunctionFacts {
  const clang::FunctionDecl* key = nullptr;
  bool has_body = false;
  bool in_main_file = false;
  bool in_system_header = false;
  bool is_member = false;
  bool is_builtin_accessor = false;
  BuiltinReads reads;  // read directly in this body
  std::vector<BuiltinUse> builtin_uses;
  std::vector<CallSite> calls;
  std::vector<clang::SourceLocation> indirect_calls;
  std::vector<clang::SourceLocation> unresolved_calls;  // dependent, in a template pattern
  std::vector<std::pair<const clang::FunctionDecl*, clang::SourceLocation>> address_taken;
  std::vector<clang::SourceLocation> asm_grid_register_reads;  // %ctaid, %nctaid, ...
  std::vector<clang::SourceLocation> asm_smid_reads;           // %smid, %warpid, ...
  std::vector<clang::SourceLocation> asm_thread_register_reads;  // %tid, %ntid, %laneid, ...
  std::vector<clang::SourceLocation> warp_level_calls;         // __shfl*_sync, __ballot_sync, ...
  std::vector<clang::SourceLocation> grid_syncs;
  std::vector<std::pair<std::string, clang::SourceLocation>> builtin_named_decls;
  std::vector<clang::SourceLocation> returns;  // return statements of this body
  std::vector<const clang::ReturnStmt*> return_stmts;  // the same, of the pattern's body (for rewriting)
  std::vector<clang::SourceLocation> device_launches;  // k<<<...>>> / cudaLaunchDevice in this body
  std::vector<clang::SourceLocation> spin_waits;       // loops that wait on a volatile/atomic location
  std::vector<clang::SourceLocation> default_args_reading_builtins;  // evaluated with physical values
  bool ends_with_return = false;
  bool barriers = false;
  bool warp_level_ops = false;
  bool atomics = false;
  bool cooperative_groups = false;
  bool inline_asm = false;  // any asm statement: what it does is not analysed beyond the register reads above
  bool dynamic_shared_memory = false;
  bool static_shared_memory = false;
  unsigned long long static_shared_bytes = 0;  // of the non-dependent pattern
  bool defined_in_macro = false;
};

// The declaration that identifies a function for analysis and cloning. An
// instantiation of a template written in the user's file maps to the pattern
// (clones are made from its text); one from a header stays itself, since
// instantiations of header templates differ (cg::sync on a block vs a grid).
// Otherwise the definition, else the canonical declaration.
const clang::FunctionDecl* function_key(const clang::FunctionDecl* fn, const clang::SourceManager& sm);

// A block-wide barrier: __syncthreads and its variants, cg::sync on a thread_block.
bool is_block_barrier(const clang::FunctionDecl* fn);

// Scans `key`'s body and, for templates, every instantiation's body.
FunctionFacts scan_function(const clang::FunctionDecl* key, clang::ASTContext& ctx);

// Static __shared__ bytes declared in one concrete (non-dependent) body.
unsigned long long static_shared_bytes_of(const clang::FunctionDecl* body_owner, clang::ASTContext& ctx);

}  // namespace miriam
