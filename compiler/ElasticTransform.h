// One translation unit through the compiler: analysis, every pass on every
// kernel, and the emitted text of <stem>.elastic.cu. Runs inside the AST
// consumer, while the AST is alive; the result holds only plain data.
#pragma once

#include <string>
#include <vector>

#include "EditSet.h"
#include "Registration.h"

namespace clang {
class ASTContext;
class DiagnosticsEngine;
}  // namespace clang

namespace miriam {

class Pass;

struct TransformResult {
  bool ok = false;
  std::string source_path;
  std::string sha256;
  std::string elastic_text;
  std::vector<KernelOutcome> kernels;  // clang pointers inside are cleared
  std::vector<std::string> dependencies;  // every file the parse read
};

struct TransformOptions {
  std::string output_name;    // "<stem>.elastic.cu"
  std::string manifest_name;  // "<stem>.miriam.json"
  std::string tool_version;
  std::vector<TextEdit> launch_site_edits;  // --rewrite-launches: from the host-side parse
  std::string launch_site_source;           // the text that parse read (the edits' offsets)
};

TransformResult transform_translation_unit(clang::ASTContext& ast, clang::DiagnosticsEngine& diags,
                                           const std::vector<Pass*>& passes, const TransformOptions& options);

}  // namespace miriam
