#include "ReturnRewrite.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Stmt.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>

namespace miriam {

namespace {

// The location of the ';' that ends `ret`, if `ret` is plain file text.
std::optional<clang::SourceLocation> return_semicolon(const clang::ReturnStmt* ret, clang::ASTContext& ctx) {
  const clang::SourceManager& sm = ctx.getSourceManager();
  if (ret->getReturnLoc().isMacroID() || ret->getEndLoc().isMacroID()) return std::nullopt;
  std::optional<clang::Token> next = clang::Lexer::findNextToken(ret->getEndLoc(), sm, ctx.getLangOpts());
  if (!next || !next->is(clang::tok::semi) || next->getLocation().isMacroID()) return std::nullopt;
  return next->getLocation();
}

}  // namespace

std::optional<std::vector<CloneTextEdit>> return_as_goto(const clang::ReturnStmt* ret, const std::string& label,
                                                         clang::ASTContext& ctx) {
  std::optional<clang::SourceLocation> semi = return_semicolon(ret, ctx);
  if (!semi) return std::nullopt;
  const std::string jump = "goto " + label;
  if (!ret->getRetValue()) return std::vector<CloneTextEdit>{{ret->getReturnLoc(), 6, jump}};  // "return;"
  return std::vector<CloneTextEdit>{{ret->getReturnLoc(), 6, "{"}, {*semi, 1, "; " + jump + "; }"}};
}

}  // namespace miriam
