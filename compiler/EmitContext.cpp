#include "EmitContext.h"

#include <clang/AST/Decl.h>

namespace miriam {

EmitContext::EmitContext(clang::ASTContext& ast, TranslationUnitAnalysis& analysis, EditSet& edits,
                         std::string output_name)
    : ast_(ast), analysis_(analysis), edits_(edits), output_name_(std::move(output_name)), cloner_(ast, &edits) {}

bool EmitContext::insert_after(const clang::FunctionDecl* decl, const std::string& text, const std::string& origin,
                               std::string& error) {
  std::optional<unsigned> offset = cloner_.insertion_offset_after(decl);
  if (!offset) {
    error = "cannot find the end of '" + decl->getNameAsString() + "' in the file text";
    return false;
  }
  std::string block = CloneBuilder::output_line_directive(output_name_) + text;
  if (block.empty() || block.back() != '\n') block += '\n';
  block += cloner_.line_directive_for_offset(*offset);
  if (!edits_.add({*offset, 0, std::move(block), origin})) {
    error = edits_.conflicts().back().describe();
    return false;
  }
  return true;
}

}  // namespace miriam
