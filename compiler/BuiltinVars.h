// Recognises CUDA's builtin index variables by their type, never by name:
// real code declares host variables called gridDim or blockDim.
#pragma once

namespace clang {
class Expr;
class FunctionDecl;
class VarDecl;
}  // namespace clang

namespace miriam {

enum class BuiltinVar { None, ThreadIdx, BlockIdx, BlockDim, GridDim, WarpSize };

// The builtin a variable declaration is, by its type (clang's
// __cuda_builtin_*_t records from __clang_cuda_builtin_vars.h).
BuiltinVar classify_builtin_var(const clang::VarDecl* var);

// True for the accessor methods of those records (__fetch_builtin_x,
// operator dim3/uint3): their bodies read special registers and must be seen
// as "reads the builtin", not followed as ordinary callees.
bool is_builtin_var_accessor(const clang::FunctionDecl* fn);

const char* builtin_name(BuiltinVar var);

}  // namespace miriam
