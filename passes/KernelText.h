// Pieces of a kernel's own text that emitted host helpers reuse: parameter
// declarations, argument lists, the template header.
#pragma once

#include <optional>
#include <string>

namespace clang {
class ASTContext;
class FunctionDecl;
}  // namespace clang

namespace miriam {

struct KernelSignatureText {
  std::string template_header;  // "template <typename T, int N>\n" or ""
  std::string explicit_args;    // "<T, N>" or ""
  std::string params;           // ", float* x, int n" (leading comma) or ""
  std::string args;             // ", x, n" or ""
};

// Empty when the signature is not plain text of the file (macros) or a
// parameter has no name that can be given one.
std::optional<KernelSignatureText> kernel_signature_text(const clang::FunctionDecl* kernel, clang::ASTContext& ctx);

}  // namespace miriam
