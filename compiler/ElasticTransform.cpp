#include "ElasticTransform.h"

#include <clang/AST/ASTContext.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>
#include <llvm/Support/SHA256.h>

#include <variant>

#include "Analysis.h"
#include "EmitContext.h"
#include "Pass.h"
#include "TemplateRenderer.h"
#include "miriam/Templates.inc"

namespace miriam {

using namespace clang;

namespace {

std::string sha256_hex(llvm::StringRef data) {
  std::array<uint8_t, 32> digest = llvm::SHA256::hash(llvm::arrayRefFromStringRef(data));
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

void report_refusal(DiagnosticsEngine& diags, const KernelInfo& kernel, const char* kind,
                    const std::vector<HazardRecord>& reasons) {
  unsigned warning = diags.getCustomDiagID(DiagnosticsEngine::Warning, "kernel '%0' not %1: %2 [miriam-refused]");
  unsigned note = diags.getCustomDiagID(DiagnosticsEngine::Note, "the original '%0' stays in use; declared here");
  for (const HazardRecord& reason : reasons) {
    SourceLocation at = reason.loc.isValid() ? reason.loc : kernel.pattern->getLocation();
    diags.Report(at, warning) << kernel.qualified_name << kind << reason.message;
  }
  diags.Report(kernel.pattern->getLocation(), note) << kernel.qualified_name;
}

std::vector<std::string> dependencies_of(const SourceManager& sm) {
  std::vector<std::string> files;
  // Real paths: clang names the libstdc++ headers "/../lib/gcc/.../../../../include/c++/12/...",
  // which the OS resolves through /lib -> usr/lib but ninja and CMake fold lexically to a
  // file that does not exist, so every build would re-run miriamc.
  for (auto it = sm.fileinfo_begin(); it != sm.fileinfo_end(); ++it) {
    llvm::StringRef real = it->first.getFileEntry().tryGetRealPathName();
    files.push_back(real.empty() ? it->first.getName().str() : real.str());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TransformResult transform_translation_unit(ASTContext& ast, DiagnosticsEngine& diags, const std::vector<Pass*>& passes,
                                           const TransformOptions& options) {
  TransformResult result;
  const SourceManager& sm = ast.getSourceManager();
  llvm::StringRef buffer = sm.getBufferData(sm.getMainFileID());
  result.source_path = sm.getFileEntryRefForID(sm.getMainFileID())->getName().str();
  result.sha256 = sha256_hex(buffer);
  result.dependencies = dependencies_of(sm);

  if (!options.launch_site_edits.empty() && buffer != options.launch_site_source) {
    diags.Report(sm.getLocForStartOfFile(sm.getMainFileID()),
                 diags.getCustomDiagID(DiagnosticsEngine::Error,
                                       "the file changed while miriamc read it; run miriamc again"));
    return result;
  }
  // Clang's own warnings on nvcc-style code are noise (parsed with -w); ours are not.
  diags.setIgnoreAllWarnings(false);

  TranslationUnitAnalysis analysis(ast);
  EditSet edits;
  EmitContext emit(ast, analysis, edits, options.output_name);
  const char* launch_header = options.launch_site_edits.empty() ? "" : "#include \"miriam/launch.h\"\n";
  edits.add({0, 0, render_template(templates::kFileHeader, {{"version", options.tool_version}, {"source", result.source_path}}) +
                       launch_header + "#line 1 \"" + result.source_path + "\"\n",
             "header"});
  for (const TextEdit& edit : options.launch_site_edits) edits.add(edit);

  for (KernelInfo& kernel : analysis.kernels()) {
    KernelOutcome outcome;
    outcome.info = kernel;
    for (Pass* pass : passes) {
      PassResult ran = pass->run(kernel, emit);
      if (auto* variant = std::get_if<VariantRecord>(&ran)) {
        emit.note_variant(kernel.pattern, variant->kind);
        outcome.variants.push_back(std::move(*variant));
      } else {
        const PassRefusal& refusal = std::get<PassRefusal>(ran);
        report_refusal(diags, kernel, pass->kind(), refusal.reasons);
        outcome.refused.push_back({pass->kind(), refusal.reasons.front().message, refusal.reasons.front().where});
      }
    }
    result.kernels.push_back(std::move(outcome));
  }

  if (edits.has_conflicts()) {
    unsigned error = diags.getCustomDiagID(DiagnosticsEngine::Error,
                                           "internal error: conflicting edits (%0); no output was written. "
                                           "Please report this; --passes can leave the pass out");
    for (const EditConflict& conflict : edits.conflicts())
      diags.Report(sm.getLocForStartOfFile(sm.getMainFileID()).getLocWithOffset(conflict.second.offset), error)
          << conflict.describe();
    return result;
  }

  std::string text = edits.apply(std::string_view(buffer.data(), buffer.size()));
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += CloneBuilder::output_line_directive(options.output_name);
  text += registration_block(result.kernels, result.source_path, result.sha256, options.manifest_name);
  result.elastic_text = resolve_line_markers(std::move(text));

  for (KernelOutcome& outcome : result.kernels) {
    outcome.info.pattern = nullptr;
    outcome.info.template_decl = nullptr;
    for (InstantiationInfo& inst : outcome.info.instantiations) inst.decl = nullptr;
  }
  result.ok = true;
  return result;
}

}  // namespace miriam
