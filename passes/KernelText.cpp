#include "KernelText.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>

namespace miriam {

using namespace clang;

namespace {

std::optional<std::string> file_text(SourceRange range, ASTContext& ctx) {
  const SourceManager& sm = ctx.getSourceManager();
  CharSourceRange chars = Lexer::makeFileCharRange(CharSourceRange::getTokenRange(range), sm, ctx.getLangOpts());
  if (chars.isInvalid()) return std::nullopt;
  return Lexer::getSourceText(chars, sm, ctx.getLangOpts()).str();
}

}  // namespace

std::optional<KernelSignatureText> kernel_signature_text(const FunctionDecl* kernel, ASTContext& ctx) {
  KernelSignatureText text;
  const SourceManager& sm = ctx.getSourceManager();
  unsigned index = 0;
  for (const ParmVarDecl* param : kernel->parameters()) {
    std::string name = param->getNameAsString();
    std::optional<std::string> decl_text = file_text(param->getSourceRange(), ctx);
    if (!decl_text) return std::nullopt;
    if (name.empty()) {
      // An unnamed parameter gets a name where its declarator ends.
      name = "__miriam_arg" + std::to_string(index);
      CharSourceRange whole = Lexer::makeFileCharRange(CharSourceRange::getTokenRange(param->getSourceRange()), sm,
                                                       ctx.getLangOpts());
      unsigned begin = sm.getFileOffset(whole.getBegin());
      unsigned at = sm.getFileOffset(sm.getFileLoc(param->getLocation()));
      if (at < begin || at > begin + decl_text->size()) return std::nullopt;
      decl_text->insert(at - begin, " " + name + " ");
    }
    text.params += ", " + *decl_text;
    text.args += ", " + name;
    ++index;
  }
  if (const FunctionTemplateDecl* tmpl = kernel->getDescribedFunctionTemplate()) {
    const TemplateParameterList* list = tmpl->getTemplateParameters();
    std::optional<std::string> header = file_text(list->getSourceRange(), ctx);
    if (!header) return std::nullopt;
    text.template_header = *header + "\n";
    std::string args;
    for (const NamedDecl* param : *list) {
      if (param->getName().empty()) return std::nullopt;
      if (!args.empty()) args += ", ";
      args += param->getNameAsString();
      if (param->isParameterPack()) args += "...";
    }
    text.explicit_args = "<" + args + ">";
  }
  return text;
}

}  // namespace miriam
