// Which values of a kernel body are the same for every thread of a block
// ("uniform"): the condition for running code once per physical thread of a
// shrunk variant instead of once per logical thread. Deliberately small and
// conservative: no memory loads, no calls except a few pure math functions.
#pragma once

#include <memory>
#include <set>
#include <utility>

namespace clang {
class ASTContext;
class DeclRefExpr;
class Expr;
class FunctionDecl;
class ParentMap;
class Stmt;
class VarDecl;
}  // namespace clang

namespace miriam {

class Uniformity {
 public:
  // `kernel` is the pattern whose body is analysed; `thread_varying_callees`
  // are functions whose result may depend on threadIdx.
  Uniformity(const clang::FunctionDecl* kernel, clang::ASTContext& ctx,
             std::set<const clang::FunctionDecl*> thread_varying_callees);
  ~Uniformity();

  // Treats `var` (a loop variable checked separately) as uniform.
  void assume_uniform(const clang::VarDecl* var) { uniform_.insert(var); }
  // Decides, in declaration order, which locals of the body are uniform: a
  // scalar (or lambda) never modified, initialized from uniform values.
  void classify_locals();

  bool is_uniform(const clang::Expr* expr) const;
  bool is_uniform(const clang::VarDecl* var) const { return uniform_.count(var) != 0; }

  // Every use of `var` in `scope` only reads it.
  bool only_read_in(const clang::VarDecl* var, const clang::Stmt* scope) const;
  // Some use of `var` in the body assigns it, or takes its address.
  bool modified(const clang::VarDecl* var) const { return modified_.count(var) != 0; }
  // This use lets the variable's address outlive the expression (&x, a
  // reference binding, array decay other than a subscript, a call argument).
  bool address_escapes(const clang::DeclRefExpr* ref) const;

  const clang::ParentMap& parents() const { return *parents_; }

 private:
  std::pair<const clang::Stmt*, const clang::Stmt*> use_of(const clang::DeclRefExpr* ref, bool elements) const;
  bool is_read_only_use(const clang::DeclRefExpr* ref) const;
  bool is_uniform_lambda(const clang::Expr* expr) const;

  const clang::FunctionDecl* kernel_;
  clang::ASTContext& ctx_;
  std::set<const clang::FunctionDecl*> thread_varying_callees_;
  std::unique_ptr<clang::ParentMap> parents_;
  std::set<const clang::VarDecl*> uniform_;
  std::set<const clang::VarDecl*> modified_;
};

}  // namespace miriam
