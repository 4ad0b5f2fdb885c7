// `return` in a kernel body that a variant runs inside a loop (over logical
// blocks, over logical threads) means "done with this iteration": it becomes
// a jump to a label at the end of the iteration. Jumping out of scopes is
// legal and runs no destructors a return would not have run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "CloneBuilder.h"

namespace clang {
class ASTContext;
class ReturnStmt;
}  // namespace clang

namespace miriam {

// The edits turning `ret` into `goto label;` ("return f(x);", a void
// expression, becomes "{ f(x); goto label; }"). Empty when the return is
// spelled inside a macro and cannot be rewritten.
std::optional<std::vector<CloneTextEdit>> return_as_goto(const clang::ReturnStmt* ret, const std::string& label,
                                                         clang::ASTContext& ctx);

}  // namespace miriam
