// Builds the text of a cloned function from the user's own text: the same
// tokens, macros included, with a new name, a leading parameter, a prologue
// after the body's '{', and calls redirected to other clones. Clones are
// inserted right after the original, so they see the same names.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "EditSet.h"
#include "FunctionFacts.h"

namespace clang {
class ASTContext;
class FunctionDecl;
class SourceLocation;
}  // namespace clang

namespace miriam {

struct CallRedirect {
  CallSite site;
  std::string new_name;     // replaces the callee's name token
  std::string leading_arg;  // inserted as the first argument
};

// A replacement of `length` characters at a file location inside the cloned
// declaration (e.g. a `return` keyword of the body).
struct CloneTextEdit {
  clang::SourceLocation loc;
  unsigned length = 0;
  std::string text;
};

struct CloneRequest {
  std::string new_name;
  std::string leading_param;  // "::miriam::Slice __miriam_slice"
  std::string prologue;       // after the body's '{'; ignored for prototypes
  std::string epilogue;       // before the body's '}' (on lines of its own); ignored for prototypes
  std::vector<CloneTextEdit> body_edits;
  std::vector<CallRedirect> redirects;
  std::string origin;         // the pass, for edit conflict reports
};

// Marks where the emitted file's own line number goes: after all edits are
// applied, each marker becomes that line's number (see resolve_line_markers).
inline constexpr const char* kOutputLineMarker = "@@MIRIAM_OUTPUT_LINE@@";

class CloneBuilder {
 public:
  // A conflict between a clone's edits is a miriamc bug: it is also recorded
  // in `file_edits` (the output file's), which fails the whole file.
  explicit CloneBuilder(clang::ASTContext& ctx, EditSet* file_edits = nullptr);

  // The clone of one declaration of a function (its definition or a
  // prototype); for templates, `decl` is the templated FunctionDecl and the
  // text includes the template header. Empty with `error` set on failure.
  std::optional<std::string> clone(const clang::FunctionDecl* decl, const CloneRequest& request,
                                   std::string& error) const;

  // Where text inserted after `decl` goes: the start of the line after it.
  std::optional<unsigned> insertion_offset_after(const clang::FunctionDecl* decl) const;

  // "#line N "file"" naming the original line of `offset` in the main file.
  std::string line_directive_for_offset(unsigned offset) const;
  // "#line <marker> "output"" switching attribution to the emitted file.
  static std::string output_line_directive(const std::string& output_name);

  // "#line N "file"" naming the line where `decl` (or its template) starts.
  std::string line_directive_for_decl(const clang::FunctionDecl* decl) const;

  std::optional<unsigned> file_offset(clang::SourceLocation loc) const;

  // [begin, end) offsets in the main file of `decl`, its template header included.
  std::optional<std::pair<unsigned, unsigned>> decl_range(const clang::FunctionDecl* decl) const;

  clang::ASTContext& ctx_;
  EditSet* file_edits_;
};

// Replaces every output-line marker with the number of the line after it.
std::string resolve_line_markers(std::string text);

}  // namespace miriam
