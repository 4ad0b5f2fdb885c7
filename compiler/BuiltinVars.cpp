#include "BuiltinVars.h"

#include <clang/AST/Decl.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/Type.h>

namespace miriam {

namespace {

BuiltinVar classify_record_name(llvm::StringRef name) {
  if (name == "__cuda_builtin_threadIdx_t") return BuiltinVar::ThreadIdx;
  if (name == "__cuda_builtin_blockIdx_t") return BuiltinVar::BlockIdx;
  if (name == "__cuda_builtin_blockDim_t") return BuiltinVar::BlockDim;
  if (name == "__cuda_builtin_gridDim_t") return BuiltinVar::GridDim;
  return BuiltinVar::None;
}

}  // namespace

BuiltinVar classify_builtin_var(const clang::VarDecl* var) {
  if (!var) return BuiltinVar::None;
  const clang::CXXRecordDecl* record = var->getType().getCanonicalType()->getAsCXXRecordDecl();
  if (!record || !record->getIdentifier()) return BuiltinVar::None;
  return classify_record_name(record->getName());
}

bool is_builtin_var_accessor(const clang::FunctionDecl* fn) {
  const auto* method = llvm::dyn_cast_or_null<clang::CXXMethodDecl>(fn);
  if (!method) return false;
  const clang::CXXRecordDecl* record = method->getParent();
  return record && record->getIdentifier() && classify_record_name(record->getName()) != BuiltinVar::None;
}

const char* builtin_name(BuiltinVar var) {
  switch (var) {
    case BuiltinVar::ThreadIdx: return "threadIdx";
    case BuiltinVar::BlockIdx: return "blockIdx";
    case BuiltinVar::BlockDim: return "blockDim";
    case BuiltinVar::GridDim: return "gridDim";
    case BuiltinVar::WarpSize: return "warpSize";
    case BuiltinVar::None: break;
  }
  return "";
}

}  // namespace miriam
