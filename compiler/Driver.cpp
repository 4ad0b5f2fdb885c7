#include "Driver.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Mangle.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Basic/Version.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Frontend/FrontendActions.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/core.h>

#include <map>
#include <set>

#include "ElasticTransform.h"
#include "LaunchSites.h"
#include "Manifest.h"
#include "Naming.h"
#include "OutputFiles.h"
#include "Pass.h"

namespace miriam {

using namespace clang;

namespace {

void print_error(const std::string& message) { llvm::errs() << "miriamc: error: " << message << "\n"; }

class TransformConsumer : public ASTConsumer {
 public:
  TransformConsumer(CompilerInstance& ci, const std::vector<Pass*>& passes, const TransformOptions& options,
                    TransformResult& result)
      : ci_(ci), passes_(passes), options_(options), result_(result) {}
  void HandleTranslationUnit(ASTContext& ctx) override {
    if (ci_.getDiagnostics().hasErrorOccurred()) return;
    result_ = transform_translation_unit(ctx, ci_.getDiagnostics(), passes_, options_);
  }

 private:
  CompilerInstance& ci_;
  const std::vector<Pass*>& passes_;
  const TransformOptions& options_;
  TransformResult& result_;
};

class TransformAction : public ASTFrontendAction {
 public:
  TransformAction(const std::vector<Pass*>& passes, const TransformOptions& options, TransformResult& result)
      : passes_(passes), options_(options), result_(result) {}
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance& ci, llvm::StringRef) override {
    return std::make_unique<TransformConsumer>(ci, passes_, options_, result_);
  }

 private:
  const std::vector<Pass*>& passes_;
  const TransformOptions& options_;
  TransformResult& result_;
};

// (variant qualified name, template args) -> mangled name, from the emitted file.
using VariantSymbols = std::map<std::pair<std::string, std::string>, std::string>;

class VariantCollector : public RecursiveASTVisitor<VariantCollector> {
 public:
  VariantCollector(ASTContext& ctx, VariantSymbols& out) : ctx_(ctx), mangler_(ctx.createMangleContext()), out_(out) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool VisitFunctionDecl(FunctionDecl* fn) {
    if (!fn->hasAttr<CUDAGlobalAttr>() || !fn->getIdentifier() || !fn->getName().contains("__miriam_")) return true;
    if (fn->isDependentContext()) return true;
    out_[{qualified_name(fn), template_args_of(fn, ctx_)}] = mangled_name(fn, *mangler_);
    return true;
  }

 private:
  ASTContext& ctx_;
  std::unique_ptr<MangleContext> mangler_;
  VariantSymbols& out_;
};

class VerifyConsumer : public ASTConsumer {
 public:
  VerifyConsumer(CompilerInstance& ci, VariantSymbols& out) : ci_(ci), out_(out) {}
  void HandleTranslationUnit(ASTContext& ctx) override {
    if (ci_.getDiagnostics().hasErrorOccurred()) return;
    VariantCollector collector(ctx, out_);
    collector.TraverseDecl(ctx.getTranslationUnitDecl());
  }

 private:
  CompilerInstance& ci_;
  VariantSymbols& out_;
};

class VerifyAction : public ASTFrontendAction {
 public:
  explicit VerifyAction(VariantSymbols& out) : out_(out) {}
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance& ci, llvm::StringRef) override {
    return std::make_unique<VerifyConsumer>(ci, out_);
  }

 private:
  VariantSymbols& out_;
};

bool run_clang(std::vector<std::string> args, std::unique_ptr<FrontendAction> action) {
  llvm::IntrusiveRefCntPtr<FileManager> files(new FileManager(FileSystemOptions(), llvm::vfs::getRealFileSystem()));
  tooling::ToolInvocation invocation(std::move(args), std::move(action), files.get());
  return invocation.run();
}

std::string absolute(const std::string& path) {
  llvm::SmallString<256> out(path);
  llvm::sys::fs::make_absolute(out);
  llvm::sys::path::remove_dots(out, /*remove_dot_dot=*/true);
  return std::string(out);
}

std::string stem_of(const std::string& path) { return llvm::sys::path::stem(path).str(); }

// Device side by default; launch sites are host code (`side` = "--cuda-host-only").
std::vector<std::string> clang_args(const DriverOptions& options, const std::vector<std::string>& flags,
                                    const std::string& file, const char* side = "--cuda-device-only") {
  std::vector<std::string> args = {"clang++", "-x", "cuda"};
  bool has_std = false;
  for (const std::string& flag : flags) has_std |= flag.rfind("-std", 0) == 0;
  if (!has_std) args.push_back("-std=c++17");
  args.insert(args.end(), flags.begin(), flags.end());
  for (const std::string& extra :
       {"--cuda-path=" + options.cuda_path, "--cuda-gpu-arch=" + options.arch, std::string(side),
        "-resource-dir=" + options.clang_resource_dir, std::string("-Wno-unknown-cuda-version"),
        std::string("-isystem"), options.cuda_path + "/include/cccl", std::string("-w"),
        std::string("-fsyntax-only")})
    args.push_back(extra);
  args.push_back(file);
  return args;
}

// Fills each variant's per-instantiation mangled names from the verification
// parse; a variant missing there is a miriamc bug.
bool attach_variant_symbols(TransformResult& result, const VariantSymbols& symbols, std::string& error) {
  for (KernelOutcome& kernel : result.kernels)
    for (VariantRecord& variant : kernel.variants) {
      variant.mangled.clear();
      for (const InstantiationInfo& inst : kernel.info.instantiations) {
        auto it = symbols.find({variant.entry, inst.template_args});
        if (it == symbols.end()) {
          error = "variant '" + variant.entry + (inst.template_args.empty() ? "" : "<" + inst.template_args + ">") +
                  "' is missing from the emitted code";
          return false;
        }
        variant.mangled.push_back(it->second);
      }
    }
  return true;
}

void print_summary(const TransformResult& result, const std::string& elastic_path) {
  unsigned with_variants = 0;
  for (const KernelOutcome& k : result.kernels) with_variants += k.variants.empty() ? 0 : 1;
  llvm::outs() << fmt::format("{}: {} kernel(s), {} with elastic variants -> {}\n", result.source_path,
                              result.kernels.size(), with_variants, elastic_path);
  for (const KernelOutcome& k : result.kernels) {
    std::string made;
    for (const VariantRecord& v : k.variants) made += (made.empty() ? "" : ", ") + v.kind;
    llvm::outs() << fmt::format("  {:<40} {}\n", k.info.qualified_name, made.empty() ? "-" : made);
    for (const RefusalRecord& r : k.refused)
      llvm::outs() << fmt::format("  {:<40} refused {}: {}\n", "", r.kind, r.reason);
  }
}

}  // namespace

std::vector<std::string> portable_flags(const std::vector<std::string>& command) {
  static const char* const kWithValue[] = {"-I", "-isystem", "-D", "-U", "-include", "-iquote"};
  std::vector<std::string> kept;
  for (size_t i = 0; i < command.size(); ++i) {
    const std::string& arg = command[i];
    bool matched = false;
    for (const char* flag : kWithValue) {
      std::string name = flag;
      if (arg == name && i + 1 < command.size()) {
        kept.push_back(arg);
        kept.push_back(command[++i]);
        matched = true;
        break;
      }
      if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0) {
        kept.push_back(arg);
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (arg.rfind("-std=", 0) == 0 || arg.rfind("--std=", 0) == 0)
      kept.push_back("-std=" + arg.substr(arg.find('=') + 1));
    else if (arg == "-std" && i + 1 < command.size())  // nvcc's "-std c++17"
      kept.push_back("-std=" + command[++i]);
  }
  return kept;
}

int run_driver(const DriverOptions& options, const PassFactory& make_passes,
               const std::vector<std::string>& default_passes) {
  std::string error;
  std::vector<std::unique_ptr<Pass>> owned =
      make_passes(options.passes.empty() ? default_passes : options.passes, error);
  if (!error.empty()) {
    print_error(error);
    return 1;
  }
  std::vector<Pass*> passes;
  for (auto& pass : owned) passes.push_back(pass.get());

  if (options.sources.empty()) {
    print_error("no input files; usage: miriamc <file.cu>... -o <dir> [-- <clang args>]");
    return 1;
  }
  std::unique_ptr<tooling::CompilationDatabase> database;
  if (!options.build_dir.empty()) {
    database = tooling::CompilationDatabase::loadFromDirectory(options.build_dir, error);
    if (!database) {
      print_error("cannot load compile_commands.json from '" + options.build_dir + "': " + llvm::StringRef(error).rtrim().str() +
                  "\nCMake writes it with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON; or pass the flags after '--' instead of -p");
      return 1;
    }
  }

  std::set<std::string> stems;
  for (const std::string& source : options.sources) {
    if (llvm::sys::path::extension(source) != ".cu") {
      print_error("'" + source + "' is not a CUDA source file (.cu); miriamc rewrites the .cu files that hold kernels");
      return 1;
    }
    if (llvm::sys::fs::is_directory(source)) {
      print_error("'" + source + "' is a directory, not a file; name the .cu files in it");
      return 1;
    }
    if (!llvm::sys::fs::exists(source)) {
      print_error("cannot read '" + source + "': no such file");
      return 1;
    }
    int fd = -1;
    if (std::error_code ec = llvm::sys::fs::openFileForRead(source, fd)) {
      print_error("cannot read '" + source + "': " + ec.message() + "; check the file's permissions");
      return 1;
    }
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    if (!stems.insert(stem_of(source)).second) {
      print_error("two inputs named '" + stem_of(source) + ".cu' would write the same outputs; run miriamc once per "
                  "directory with a different -o");
      return 1;
    }
  }

  OutputFiles outputs(options.output_dir);
  if (!outputs.prepare(error)) {
    print_error(error);
    return 1;
  }

  bool failed = false;
  std::vector<std::string> all_dependencies;
  std::vector<std::pair<TransformResult, std::string>> done;
  for (const std::string& source : options.sources) {
    std::string path = absolute(source);
    std::string stem = stem_of(source);
    outputs.plan(stem + ".elastic.cu");
    outputs.plan(stem + ".miriam.json");
    std::vector<std::string> flags = options.extra_args;
    if (database) {
      std::vector<tooling::CompileCommand> commands = database->getCompileCommands(path);
      if (commands.empty()) {
        print_error("compile_commands.json in '" + options.build_dir + "' has no entry for '" + path +
                    "'; build the file with CMake first, or pass flags after '--' instead of -p");
        failed = true;
        continue;
      }
      flags = portable_flags(commands.front().CommandLine);
      for (std::string& flag : flags)  // relative include paths are relative to the build directory
        if ((flag.rfind("-I", 0) == 0 && flag.size() > 2 && flag[2] != '/'))
          flag = "-I" + commands.front().Directory + "/" + flag.substr(2);
      flags.insert(flags.end(), options.extra_args.begin(), options.extra_args.end());
    }

    TransformOptions transform;
    transform.output_name = stem + ".elastic.cu";
    transform.manifest_name = stem + ".miriam.json";
    transform.tool_version = options.tool_version;
    LaunchSiteRewrite launches;
    if (options.rewrite_launches) {
      run_clang(clang_args(options, flags, path, "--cuda-host-only"), make_launch_site_action(launches));
      if (!launches.parsed) {
        print_error("'" + source + "' could not be parsed as host code (see the errors above), which "
                    "--rewrite-launches needs; nothing was written for it");
        failed = true;
        continue;
      }
      transform.launch_site_edits = launches.edits;
      transform.launch_site_source = launches.source;
    }
    TransformResult result;
    bool parsed = run_clang(clang_args(options, flags, path), std::make_unique<TransformAction>(passes, transform, result));
    if (!parsed || !result.ok) {
      print_error("'" + source + "' could not be processed (see the errors above); nothing was written for it");
      failed = true;
      continue;
    }

    std::string elastic_path = outputs.stage(transform.output_name, result.elastic_text, error);
    if (elastic_path.empty()) {
      print_error(error);
      failed = true;
      continue;
    }
    if (options.verify) {
      VariantSymbols symbols;
      std::vector<std::string> verify_flags = flags;
      verify_flags.push_back("-I" + llvm::sys::path::parent_path(path).str());
      verify_flags.push_back("-I" + options.support_include_dir);
      bool ok = run_clang(clang_args(options, verify_flags, elastic_path), std::make_unique<VerifyAction>(symbols));
      if (!ok || !attach_variant_symbols(result, symbols, error)) {
        print_error("internal error: the code emitted for '" + source + "' does not compile" +
                    (error.empty() ? "" : " (" + error + ")") +
                    "; nothing was written. Please report this; --passes can leave a pass out");
        failed = true;
        continue;
      }
    }
    if (options.verify && launches.rewritten > 0) {  // the rewritten launch sites are host code
      std::vector<std::string> verify_flags = flags;
      verify_flags.push_back("-I" + llvm::sys::path::parent_path(path).str());
      verify_flags.push_back("-I" + options.support_include_dir);
      if (!run_clang(clang_args(options, verify_flags, elastic_path, "--cuda-host-only"),
                     std::make_unique<SyntaxOnlyAction>())) {
        print_error("internal error: the host code emitted for '" + source + "' (--rewrite-launches) does not "
                    "compile; nothing was written. Please report this; without --rewrite-launches the file is "
                    "processed as before");
        failed = true;
        continue;
      }
    }
    ManifestHeader header{options.tool_version, getClangFullVersion(), result.source_path, result.sha256,
                          transform.output_name, options.arch};
    std::string manifest = manifest_json(header, result.kernels).dump(2) + "\n";
    if (outputs.stage(transform.manifest_name, manifest, error).empty()) {
      print_error(error);
      failed = true;
      continue;
    }
    all_dependencies.insert(all_dependencies.end(), result.dependencies.begin(), result.dependencies.end());
    done.push_back({std::move(result), outputs.final_path(transform.output_name)});
  }

  if (failed) {
    outputs.abandon();
    return 1;
  }
  if (!options.depfile.empty()) {
    std::string deps = outputs.depfile_text(all_dependencies);
    if (!write_file_atomically(options.depfile, deps, error)) {
      outputs.abandon();
      print_error(error);
      return 1;
    }
  }
  if (!outputs.commit(error)) {
    print_error(error);
    return 1;
  }
  if (!options.quiet)
    for (const auto& [result, elastic_path] : done) print_summary(result, elastic_path);
  return 0;
}

}  // namespace miriam
