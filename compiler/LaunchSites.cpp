#include "LaunchSites.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Lex/Lexer.h>

#include <map>
#include <optional>

#include "Naming.h"

namespace miriam {

using namespace clang;

namespace {

// One CUDAKernelCallExpr as the visitor met it: in a template pattern, in an
// instantiation of one, or in ordinary code.
struct LaunchOccurrence {
  CUDAKernelCallExpr* call = nullptr;
  const FunctionDecl* enclosing = nullptr;  // null at namespace scope
  bool in_pattern = false;                  // inside a dependent context
};

// Every launch, instantiations included, grouped by where `<<<` is written:
// a template pattern and its instantiations share that location.
class LaunchCollector : public RecursiveASTVisitor<LaunchCollector> {
 public:
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitLambdaBodies() const { return true; }

  bool TraverseDecl(Decl* decl) {
    auto* fn = dyn_cast_or_null<FunctionDecl>(decl);
    if (fn) enclosing_.push_back(fn);
    bool ok = RecursiveASTVisitor::TraverseDecl(decl);
    if (fn) enclosing_.pop_back();
    return ok;
  }
  bool TraverseLambdaExpr(LambdaExpr* lambda) {
    enclosing_.push_back(lambda->getCallOperator());
    bool ok = RecursiveASTVisitor::TraverseLambdaExpr(lambda);
    enclosing_.pop_back();
    return ok;
  }
  bool VisitCUDAKernelCallExpr(CUDAKernelCallExpr* call) {
    LaunchOccurrence occurrence;
    occurrence.call = call;
    occurrence.enclosing = enclosing_.empty() ? nullptr : enclosing_.back();
    occurrence.in_pattern = call->isInstantiationDependent() ||
                            (occurrence.enclosing && occurrence.enclosing->isDependentContext());
    sites[call->getConfig()->getBeginLoc().getRawEncoding()].push_back(occurrence);
    return true;
  }

  std::map<SourceLocation::UIntTy, std::vector<LaunchOccurrence>> sites;

 private:
  std::vector<const FunctionDecl*> enclosing_;
};

// Why `type` cannot be written at a launch site, or empty.
std::string unnameable_reason(QualType type) {
  type = type.getCanonicalType();
  if (type->isReferenceType()) return "it has a parameter of reference type";
  while (true) {
    if (const auto* ptr = type->getAs<PointerType>()) type = ptr->getPointeeType();
    else if (const auto* member = type->getAs<MemberPointerType>()) type = member->getPointeeType();
    else if (const auto* array = type->getAsArrayTypeUnsafe()) type = array->getElementType();
    else break;
    type = type.getCanonicalType();
  }
  if (const auto* fn = type->getAs<FunctionProtoType>()) {
    std::string why = unnameable_reason(fn->getReturnType());
    for (QualType param : fn->getParamTypes())
      if (why.empty()) why = unnameable_reason(param);
    return why;
  }
  const TagDecl* tag = type->getAsTagDecl();
  if (!tag) return "";
  if (const auto* record = dyn_cast<CXXRecordDecl>(tag); record && record->isLambda())
    return "a parameter's type involves a lambda";
  for (const DeclContext* ctx = tag; ctx; ctx = ctx->getParent()) {
    if (ctx->isFunctionOrMethod()) return "a parameter's type is local to a function";
    if (const auto* t = dyn_cast<TagDecl>(ctx); t && !t->getIdentifier() && !t->getTypedefNameForAnonDecl())
      return "a parameter's type has no name";
  }
  if (const auto* spec = dyn_cast<ClassTemplateSpecializationDecl>(tag))
    for (const TemplateArgument& arg : spec->getTemplateArgs().asArray())
      if (arg.getKind() == TemplateArgument::Type)
        if (std::string why = unnameable_reason(arg.getAsType()); !why.empty()) return why;
  return "";
}

bool uses_default_argument(const CUDAKernelCallExpr* call) {
  for (const Expr* arg : call->arguments())
    if (isa<CXXDefaultArgExpr>(arg)) return true;
  return false;
}

// Where the edits go: the kernel name's first and last token, `<<<` and `>>>`.
struct SitePieces {
  unsigned callee_begin = 0, callee_end = 0;  // [begin, end): the name as written
  unsigned open = 0, close = 0;               // offsets of `<<<` and `>>>`
};

// The pieces' offsets in the main file, when all are written there, outside
// macro bodies (inside one macro argument is fine: that text is the user's).
std::optional<SitePieces> locate(const CUDAKernelCallExpr* call, const Expr* callee, ASTContext& ast,
                                 std::string& why) {
  const SourceManager& sm = ast.getSourceManager();
  const LangOptions& lang = ast.getLangOpts();
  SourceLocation locs[4] = {callee->getBeginLoc(), callee->getEndLoc(), call->getConfig()->getBeginLoc(),
                            cast<CallExpr>(call->getConfig())->getRParenLoc()};
  // Step through macro arguments together: every piece must come from the same argument.
  while (locs[0].isMacroID() || locs[1].isMacroID() || locs[2].isMacroID() || locs[3].isMacroID()) {
    std::optional<SourceLocation> expansion;
    for (SourceLocation& loc : locs) {
      if (!loc.isMacroID()) {
        why = "it is written partly inside a macro";
        return std::nullopt;
      }
      if (!sm.isMacroArgExpansion(loc)) {
        why = ("it is written inside the macro '" + Lexer::getImmediateMacroName(loc, sm, lang) +
               "'; rewriting the #define would change every expansion")
                  .str();
        return std::nullopt;
      }
      SourceLocation start = sm.getSLocEntry(sm.getFileID(loc)).getExpansion().getExpansionLocStart();
      if (expansion && *expansion != start) {
        why = "its kernel name, '<<<' and '>>>' come from different macro arguments";
        return std::nullopt;
      }
      expansion = start;
      loc = sm.getImmediateSpellingLoc(loc);
    }
  }
  FileID main = sm.getMainFileID();
  SitePieces pieces;
  unsigned* out[4] = {&pieces.callee_begin, &pieces.callee_end, &pieces.open, &pieces.close};
  for (int i = 0; i < 4; ++i) {
    auto [file, offset] = sm.getDecomposedLoc(locs[i]);
    if (file != main) {
      why = "it is written in another file";
      return std::nullopt;
    }
    *out[i] = offset;
  }
  pieces.callee_end += Lexer::MeasureTokenLength(locs[1], sm, lang);
  llvm::StringRef buffer = sm.getBufferData(main);
  if (!(pieces.callee_begin < pieces.callee_end && pieces.callee_end <= pieces.open && pieces.open < pieces.close) ||
      buffer.substr(pieces.open, 3) != "<<<" || buffer.substr(pieces.close, 3) != ">>>") {
    why = "its '<<<' or '>>>' is not where miriamc expects it";
    return std::nullopt;
  }
  return pieces;
}

class LaunchSiteRewriter {
 public:
  LaunchSiteRewriter(ASTContext& ast, DiagnosticsEngine& diags) : ast_(ast), sm_(ast.getSourceManager()), diags_(diags) {
    refused_id_ = diags.getCustomDiagID(DiagnosticsEngine::Warning,
                                        "launch of '%0' not rewritten: %1; it stays a direct launch, not coordinated "
                                        "[miriam-launch-refused]");
  }

  void run(LaunchSiteRewrite& out) {
    LaunchCollector collector;
    collector.TraverseDecl(ast_.getTranslationUnitDecl());
    for (auto& [loc, occurrences] : collector.sites) rewrite(occurrences, out);
  }

 private:
  // The launch the edits are made on: the pattern when there is one.
  static const LaunchOccurrence& written(const std::vector<LaunchOccurrence>& all) {
    for (const LaunchOccurrence& o : all)
      if (o.in_pattern) return o;
    return all.front();
  }

  void rewrite(const std::vector<LaunchOccurrence>& all, LaunchSiteRewrite& out) {
    const LaunchOccurrence& site = written(all);
    CUDAKernelCallExpr* call = site.call;
    if (!sm_.isWrittenInMainFile(sm_.getExpansionLoc(call->getBeginLoc()))) return;  // headers stay as they are
    std::string kernel = kernel_name(call);
    std::string why;
    std::string prefix = launch_prefix(all, site, why);
    std::optional<SitePieces> pieces;
    if (why.empty()) pieces = locate(call, call->getCallee()->IgnoreImpCasts(), ast_, why);
    if (!why.empty()) {
      ++out.refused;
      diags_.Report(call->getBeginLoc(), refused_id_) << kernel << why;
      return;
    }
    llvm::StringRef buffer = sm_.getBufferData(sm_.getMainFileID());
    std::string callee_text = buffer.slice(pieces->callee_begin, pieces->callee_end).str();
    out.edits.push_back({pieces->callee_begin, pieces->open + 3 - pieces->callee_begin,
                         prefix + "&" + callee_text + ", ", "launch-site"});
    out.edits.push_back({pieces->close, 3, ")", "launch-site"});
    ++out.rewritten;
  }

  std::string kernel_name(const CUDAKernelCallExpr* call) const {
    const Expr* callee = call->getCallee()->IgnoreParenImpCasts();
    if (const auto* ref = dyn_cast<DeclRefExpr>(callee)) return ref->getDecl()->getQualifiedNameAsString();
    if (const auto* lookup = dyn_cast<OverloadExpr>(callee)) return lookup->getName().getAsString();
    return "<expression>";
  }

  // "::miriam::detail::LaunchSite<P...>::make(" with the kernel's parameter types.
  std::string typed_prefix(const FunctionDecl* kernel, std::string& why) const {
    const auto* proto = kernel->getType()->getAs<FunctionProtoType>();
    if (!proto || proto->isDependentType()) {
      why = "its parameter types depend on the template arguments";
      return "";
    }
    std::string types;
    for (QualType param : proto->getParamTypes()) {
      if (std::string reason = unnameable_reason(param); !reason.empty()) {
        why = reason + " (miriamc must write the kernel's parameter types at the launch)";
        return "";
      }
      // Top-level const/__restrict of a by-value parameter change no conversion.
      types += (types.empty() ? "" : ", ") + type_ref(param.getUnqualifiedType(), ast_);
    }
    // "< ::x" avoids the "<:" digraph.
    return "::miriam::detail::LaunchSite< " + types + " >::make(";
  }

  std::string launch_prefix(const std::vector<LaunchOccurrence>& all, const LaunchOccurrence& site,
                            std::string& why) const {
    if (const FunctionDecl* fn = site.enclosing) {
      const bool device = fn->hasAttr<CUDAGlobalAttr>() ||
                          (fn->hasAttr<CUDADeviceAttr>() && !fn->getAttr<CUDADeviceAttr>()->isImplicit());
      if (device) {
        why = fn->hasAttr<CUDAHostAttr>() ? "it is in a __host__ __device__ function"
                                          : "it is in device code (dynamic parallelism)";
        return "";
      }
    }
    for (const LaunchOccurrence& o : all)
      if (uses_default_argument(o.call)) {
        why = "it relies on a default argument of the kernel; pass every argument explicitly";
        return "";
      }
    const Expr* callee = site.call->getCallee()->IgnoreParenImpCasts();
    if (const auto* ref = dyn_cast<DeclRefExpr>(callee)) {
      const auto* kernel = dyn_cast<FunctionDecl>(ref->getDecl());
      if (!kernel || !kernel->hasAttr<CUDAGlobalAttr>()) {
        why = "the launched function is not named directly; launch the kernel by its name";
        return "";
      }
      return typed_prefix(kernel, why);
    }
    const auto* lookup = dyn_cast<UnresolvedLookupExpr>(callee);
    if (!lookup) {
      why = "the launched kernel is not named directly (a function pointer, or a member of a dependent type)";
      return "";
    }
    return dependent_prefix(all, lookup, why);
  }

  // A launch in a template whose callee is resolved per instantiation: safe
  // when one kernel is visible by that name and every instantiation calls it.
  std::string dependent_prefix(const std::vector<LaunchOccurrence>& all, const UnresolvedLookupExpr* lookup,
                               std::string& why) const {
    if (lookup->getNumDecls() != 1) {
      why = "several functions named '" + lookup->getName().getAsString() +
            "' are visible; which one is launched is decided per instantiation";
      return "";
    }
    const NamedDecl* found = (*lookup->decls_begin())->getUnderlyingDecl();
    std::vector<const FunctionDecl*> called;
    for (const LaunchOccurrence& o : all)
      if (!o.in_pattern) {
        const FunctionDecl* fn = o.call->getDirectCallee();
        if (!fn) {
          why = "an instantiation launches something miriamc cannot name";
          return "";
        }
        called.push_back(fn);
      }
    if (called.empty()) {
      why = "it is in a template that is not instantiated in this file, so miriamc cannot check what it launches";
      return "";
    }
    if (const auto* kernel = dyn_cast<FunctionDecl>(found)) {
      for (const FunctionDecl* fn : called)
        if (fn->getCanonicalDecl() != kernel->getCanonicalDecl()) {
          why = "an instantiation launches another function found by argument-dependent lookup";
          return "";
        }
      if (!kernel->hasAttr<CUDAGlobalAttr>()) {
        why = "the launched function is not a kernel";
        return "";
      }
      return typed_prefix(kernel, why);
    }
    const auto* tmpl = dyn_cast<FunctionTemplateDecl>(found);
    if (!tmpl || !tmpl->getTemplatedDecl()->hasAttr<CUDAGlobalAttr>()) {
      why = "the launched name is not a kernel template";
      return "";
    }
    for (const FunctionDecl* fn : called)
      if (!fn->getPrimaryTemplate() ||
          fn->getPrimaryTemplate()->getCanonicalDecl() != tmpl->getCanonicalDecl()) {
        why = "an instantiation launches another function found by argument-dependent lookup";
        return "";
      }
    // `&k<T, N>` names one specialization only when every template argument is written.
    const TemplateParameterList* params = tmpl->getTemplateParameters();
    if (params->hasParameterPack() || !lookup->hasExplicitTemplateArgs() ||
        lookup->getNumTemplateArgs() != params->size()) {
      why = "the kernel template's arguments are deduced per instantiation; write them all at the launch (" +
            tmpl->getNameAsString() + "<...><<<...>>>) to let miriamc rewrite it";
      return "";
    }
    return "::miriam::detail::launch_site(";
  }

  ASTContext& ast_;
  const SourceManager& sm_;
  DiagnosticsEngine& diags_;
  unsigned refused_id_ = 0;
};

class LaunchSiteConsumer : public ASTConsumer {
 public:
  LaunchSiteConsumer(CompilerInstance& ci, LaunchSiteRewrite& out) : ci_(ci), out_(out) {}
  void HandleTranslationUnit(ASTContext& ast) override {
    if (ci_.getDiagnostics().hasErrorOccurred()) return;
    ci_.getDiagnostics().setIgnoreAllWarnings(false);  // parsed with -w: only our warnings show
    out_ = rewrite_launch_sites(ast, ci_.getDiagnostics());
    out_.parsed = true;
  }

 private:
  CompilerInstance& ci_;
  LaunchSiteRewrite& out_;
};

class LaunchSiteAction : public ASTFrontendAction {
 public:
  explicit LaunchSiteAction(LaunchSiteRewrite& out) : out_(out) {}
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance& ci, llvm::StringRef) override {
    return std::make_unique<LaunchSiteConsumer>(ci, out_);
  }

 private:
  LaunchSiteRewrite& out_;
};

}  // namespace

std::unique_ptr<FrontendAction> make_launch_site_action(LaunchSiteRewrite& out) {
  return std::make_unique<LaunchSiteAction>(out);
}

LaunchSiteRewrite rewrite_launch_sites(ASTContext& ast, DiagnosticsEngine& diags) {
  LaunchSiteRewrite out;
  const SourceManager& sm = ast.getSourceManager();
  out.source = sm.getBufferData(sm.getMainFileID()).str();
  LaunchSiteRewriter(ast, diags).run(out);
  return out;
}

}  // namespace miriam
