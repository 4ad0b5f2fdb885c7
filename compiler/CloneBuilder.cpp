#include "CloneBuilder.h"

#include <clang/AST/ASTContext.h>
#include <clang/AST/Decl.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Stmt.h>
#include <clang/AST/TypeLoc.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>

namespace miriam {

using namespace clang;

CloneBuilder::CloneBuilder(ASTContext& ctx, EditSet* file_edits) : ctx_(ctx), file_edits_(file_edits) {}

std::optional<unsigned> CloneBuilder::file_offset(SourceLocation loc) const {
  const SourceManager& sm = ctx_.getSourceManager();
  if (loc.isInvalid()) return std::nullopt;
  CharSourceRange range = Lexer::makeFileCharRange(CharSourceRange::getTokenRange(loc), sm, ctx_.getLangOpts());
  if (range.isInvalid()) return std::nullopt;
  std::pair<FileID, unsigned> decomposed = sm.getDecomposedLoc(range.getBegin());
  if (decomposed.first != sm.getMainFileID()) return std::nullopt;
  return decomposed.second;
}

std::optional<std::pair<unsigned, unsigned>> CloneBuilder::decl_range(const FunctionDecl* decl) const {
  const SourceManager& sm = ctx_.getSourceManager();
  const Decl* outer = decl;
  if (const FunctionTemplateDecl* tmpl = decl->getDescribedFunctionTemplate()) outer = tmpl;
  CharSourceRange range =
      Lexer::makeFileCharRange(CharSourceRange::getTokenRange(outer->getSourceRange()), sm, ctx_.getLangOpts());
  if (range.isInvalid()) return std::nullopt;
  auto begin = sm.getDecomposedLoc(range.getBegin());
  auto end = sm.getDecomposedLoc(range.getEnd());
  if (begin.first != sm.getMainFileID() || end.first != sm.getMainFileID()) return std::nullopt;
  return std::make_pair(begin.second, end.second);
}

std::optional<std::string> CloneBuilder::clone(const FunctionDecl* decl, const CloneRequest& request,
                                               std::string& error) const {
  const SourceManager& sm = ctx_.getSourceManager();
  auto range = decl_range(decl);
  if (!range) {
    error = "the declaration of '" + decl->getNameAsString() + "' is not plain text of the file (macro expansion)";
    return std::nullopt;
  }
  const auto [begin, end] = *range;
  EditSet edits;
  auto local = [&](std::optional<unsigned> offset, const char* what) -> std::optional<size_t> {
    if (!offset || *offset < begin || *offset > end) {
      error = std::string("cannot locate ") + what + " of '" + decl->getNameAsString() + "' in the file text";
      return std::nullopt;
    }
    return *offset - begin;
  };
  auto add = [&](size_t offset, size_t length, std::string text) {
    if (edits.add({offset, length, std::move(text), request.origin})) return;
    error = "conflicting edits while cloning '" + decl->getNameAsString() + "': " + edits.conflicts().back().describe();
    if (file_edits_) file_edits_->add_conflict(edits.conflicts().back(), begin);
  };

  auto name_at = local(file_offset(decl->getLocation()), "the name");
  if (!name_at) return std::nullopt;
  add(*name_at, decl->getName().size(), request.new_name);

  if (decl->getNumParams() > 0 && decl->getParamDecl(0)->getBeginLoc().isValid()) {
    auto first = local(file_offset(decl->getParamDecl(0)->getBeginLoc()), "the first parameter");
    if (!first) return std::nullopt;
    add(*first, 0, request.leading_param + ", ");
  } else {
    FunctionTypeLoc type_loc = decl->getFunctionTypeLoc();
    if (!type_loc) {
      error = "cannot locate the parameter list of '" + decl->getNameAsString() + "'";
      return std::nullopt;
    }
    auto lparen = local(file_offset(type_loc.getLParenLoc()), "'('");
    auto rparen = local(file_offset(type_loc.getRParenLoc()), "')'");
    if (!lparen || !rparen) return std::nullopt;
    add(*lparen + 1, *rparen - *lparen - 1, request.leading_param);  // also replaces "(void)"
  }

  if (decl->doesThisDeclarationHaveABody()) {
    const auto* body = dyn_cast<CompoundStmt>(decl->getBody());
    if (!body) {
      error = "'" + decl->getNameAsString() + "' has a function-try-block body";
      return std::nullopt;
    }
    auto brace = local(file_offset(body->getLBracLoc()), "the body");
    if (!brace) return std::nullopt;
    // Resynchronise line numbers with the user's source after the prologue.
    unsigned brace_line = sm.getLineNumber(sm.getMainFileID(), begin + *brace);
    std::string file = sm.getFileEntryRefForID(sm.getMainFileID())->getName().str();
    add(*brace + 1, 0, request.prologue + "#line " + std::to_string(brace_line) + " \"" + file + "\"\n");
    if (!request.epilogue.empty()) {
      auto rbrace = local(file_offset(body->getRBracLoc()), "the end of the body");
      if (!rbrace) return std::nullopt;
      unsigned rbrace_line = sm.getLineNumber(sm.getMainFileID(), begin + *rbrace);
      add(*rbrace, 0, "\n" + request.epilogue + "#line " + std::to_string(rbrace_line) + " \"" + file + "\"\n");
    }
    for (const CloneTextEdit& edit : request.body_edits) {
      auto at = local(file_offset(edit.loc), "an edited token");
      if (!at) return std::nullopt;
      add(*at, edit.length, edit.text);
    }
    for (const CallRedirect& redirect : request.redirects) {
      auto name = local(file_offset(redirect.site.name_loc), "a redirected call");
      if (!name) return std::nullopt;
      CharSourceRange name_range = Lexer::makeFileCharRange(CharSourceRange::getTokenRange(redirect.site.name_loc),
                                                            sm, ctx_.getLangOpts());
      unsigned name_length = sm.getFileOffset(name_range.getEnd()) - sm.getFileOffset(name_range.getBegin());
      add(*name, name_length, redirect.new_name);
      if (redirect.site.first_arg_loc.isValid()) {
        auto arg = local(file_offset(redirect.site.first_arg_loc), "a call's first argument");
        if (!arg) return std::nullopt;
        add(*arg, 0, redirect.leading_arg + ", ");
      } else {
        auto rparen = local(file_offset(redirect.site.rparen_loc), "a call's ')'");
        if (!rparen) return std::nullopt;
        add(*rparen, 0, redirect.leading_arg);
      }
    }
  }
  if (!error.empty()) return std::nullopt;

  llvm::StringRef buffer = sm.getBufferData(sm.getMainFileID());
  std::string text = edits.apply(std::string_view(buffer.data() + begin, end - begin));
  if (!decl->doesThisDeclarationHaveABody()) text += ";";
  return text;
}

std::optional<unsigned> CloneBuilder::insertion_offset_after(const FunctionDecl* decl) const {
  auto range = decl_range(decl);
  if (!range) return std::nullopt;
  llvm::StringRef buffer = ctx_.getSourceManager().getBufferData(ctx_.getSourceManager().getMainFileID());
  size_t newline = buffer.find('\n', range->second);
  return newline == llvm::StringRef::npos ? static_cast<unsigned>(buffer.size())
                                          : static_cast<unsigned>(newline + 1);
}

std::string CloneBuilder::line_directive_for_offset(unsigned offset) const {
  const SourceManager& sm = ctx_.getSourceManager();
  unsigned line = sm.getLineNumber(sm.getMainFileID(), offset);
  std::string file = sm.getFileEntryRefForID(sm.getMainFileID())->getName().str();
  return "#line " + std::to_string(line) + " \"" + file + "\"\n";
}

std::string CloneBuilder::line_directive_for_decl(const FunctionDecl* decl) const {
  auto range = decl_range(decl);
  return range ? line_directive_for_offset(range->first) : std::string();
}

std::string CloneBuilder::output_line_directive(const std::string& output_name) {
  return std::string("#line ") + kOutputLineMarker + " \"" + output_name + "\"\n";
}

std::string resolve_line_markers(std::string text) {
  const std::string marker = kOutputLineMarker;
  std::string out;
  out.reserve(text.size());
  size_t cursor = 0;
  unsigned line = 1;
  while (true) {
    size_t at = text.find(marker, cursor);
    if (at == std::string::npos) break;
    for (size_t i = cursor; i < at; ++i) line += text[i] == '\n';
    out.append(text, cursor, at - cursor);
    out += std::to_string(line + 1);  // #line names the number of the next line
    cursor = at + marker.size();
  }
  out.append(text, cursor, std::string::npos);
  return out;
}

}  // namespace miriam
