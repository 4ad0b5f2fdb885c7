#include "Naming.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Mangle.h>
#include <clang/AST/QualTypeNames.h>
#include <clang/AST/TemplateBase.h>
#include <clang/Basic/SourceManager.h>
#include <llvm/Support/raw_ostream.h>

namespace miriam {

using namespace clang;

namespace {

// Enclosing named namespaces and records, outermost first.
std::vector<std::string> scopes_of(const FunctionDecl* fn) {
  std::vector<std::string> scopes;
  for (const DeclContext* ctx = fn->getDeclContext(); ctx; ctx = ctx->getParent()) {
    if (const auto* ns = dyn_cast<NamespaceDecl>(ctx)) {
      if (!ns->isAnonymousNamespace()) scopes.push_back(ns->getNameAsString());
    } else if (const auto* record = dyn_cast<RecordDecl>(ctx)) {
      scopes.push_back(record->getNameAsString());
    }
  }
  return {scopes.rbegin(), scopes.rend()};
}

PrintingPolicy host_policy(ASTContext& ctx) {
  PrintingPolicy policy(ctx.getLangOpts());
  policy.SuppressUnwrittenScope = true;
  policy.FullyQualifiedName = true;
  policy.PrintAsCanonical = false;
  return policy;
}

std::string print_template_arg(const TemplateArgument& arg, ASTContext& ctx, bool global_prefix) {
  if (arg.getKind() == TemplateArgument::Type)
    return TypeName::getFullyQualifiedName(arg.getAsType(), ctx, host_policy(ctx), global_prefix);
  std::string text;
  llvm::raw_string_ostream os(text);
  arg.print(host_policy(ctx), os, /*IncludeType=*/true);
  return os.str();
}

std::string join_template_args(const FunctionDecl* fn, ASTContext& ctx, bool global_prefix) {
  const TemplateArgumentList* args = fn->getTemplateSpecializationArgs();
  if (!args) return "";
  std::string out;
  for (const TemplateArgument& arg : args->asArray()) {
    if (arg.getKind() == TemplateArgument::Pack) {
      for (const TemplateArgument& element : arg.pack_elements()) {
        if (!out.empty()) out += ", ";
        out += print_template_arg(element, ctx, global_prefix);
      }
      continue;
    }
    if (!out.empty()) out += ", ";
    out += print_template_arg(arg, ctx, global_prefix);
  }
  return out;
}

}  // namespace

std::string qualified_name(const FunctionDecl* fn) {
  std::string out;
  for (const std::string& scope : scopes_of(fn)) out += scope + "::";
  return out + fn->getNameAsString();
}

std::string qualified_ref(const FunctionDecl* fn) { return "::" + qualified_name(fn); }

std::string template_args_of(const FunctionDecl* fn, ASTContext& ctx) {
  return join_template_args(fn, ctx, /*global_prefix=*/false);
}

std::string template_args_ref(const FunctionDecl* fn, ASTContext& ctx) {
  if (!fn->getTemplateSpecializationArgs()) return "";
  std::string args = join_template_args(fn, ctx, /*global_prefix=*/true);
  // "< ::x" avoids the "<:" digraph.
  return "< " + args + " >";
}

std::string type_ref(const QualType& type, ASTContext& ctx) {
  return TypeName::getFullyQualifiedName(type, ctx, host_policy(ctx), /*WithGlobalNsPrefix=*/true);
}

std::string mangled_name(const FunctionDecl* fn, MangleContext& mangler) {
  if (!mangler.shouldMangleDeclName(fn)) return fn->getNameAsString();
  std::string out;
  llvm::raw_string_ostream os(out);
  mangler.mangleName(GlobalDecl(fn), os);
  return os.str();
}

std::vector<ParamInfo> param_infos(const FunctionDecl* fn, ASTContext& ctx) {
  std::vector<ParamInfo> params;
  for (const ParmVarDecl* param : fn->parameters()) {
    ParamInfo info;
    info.name = param->getNameAsString();
    QualType type = param->getType();
    info.type = type.getAsString(host_policy(ctx));
    if (!type->isDependentType() && !type->isIncompleteType()) {
      info.size = ctx.getTypeSizeInChars(type).getQuantity();
      info.alignment = ctx.getTypeAlignInChars(type).getQuantity();
    }
    params.push_back(std::move(info));
  }
  return params;
}

SourcePosition position_of(SourceLocation loc, const SourceManager& sm) {
  SourcePosition pos;
  if (loc.isInvalid()) return pos;
  PresumedLoc presumed = sm.getPresumedLoc(sm.getFileLoc(loc));
  if (presumed.isInvalid()) return pos;
  pos.file = presumed.getFilename();
  pos.line = presumed.getLine();
  pos.column = presumed.getColumn();
  return pos;
}

}  // namespace miriam
