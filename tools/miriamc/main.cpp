// miriamc: rewrites CUDA kernels into elastic variants plus a manifest.
//   miriamc kernels.cu -o out/ [-- <clang args>]
//   miriamc -p build/ a.cu b.cu -o out/
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Process.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdlib>
#include <cstring>

#include "Driver.h"
#include "PassRegistry.h"

namespace cl = llvm::cl;

namespace {

cl::OptionCategory category("miriamc options");
cl::list<std::string> sources(cl::Positional, cl::desc("<file.cu>..."), cl::cat(category));
cl::opt<std::string> build_dir("p", cl::desc("Directory holding compile_commands.json"), cl::value_desc("dir"),
                               cl::cat(category));
cl::opt<std::string> output_dir("o", cl::desc("Output directory for <stem>.elastic.cu and <stem>.miriam.json"),
                                cl::value_desc("dir"), cl::init("."), cl::cat(category));
cl::opt<std::string> cuda_path("cuda-path", cl::desc("CUDA installation (default: $CUDA_PATH or /usr/local/cuda)"),
                               cl::value_desc("dir"), cl::cat(category));
cl::opt<std::string> arch("arch", cl::desc("GPU architecture to parse for"), cl::init("sm_90"), cl::cat(category));
cl::list<std::string> passes("passes", cl::desc("Passes to run (default: all)"), cl::CommaSeparated,
                             cl::value_desc("sliced,..."), cl::cat(category));
cl::opt<std::string> depfile("depfile", cl::desc("Write a Make-style dependency file (for build systems)"),
                             cl::value_desc("file"), cl::cat(category));
cl::opt<bool> no_verify("no-verify", cl::desc("Skip the parse of the emitted code (not recommended)"),
                        cl::cat(category));
cl::opt<bool> rewrite_launches(
    "rewrite-launches",
    cl::desc("Rewrite the host code's k<<<...>>> launches into submissions to the task current on the launching "
             "thread (miriam/launch.h); launches that cannot be rewritten safely stay as they are, with a warning"),
    cl::cat(category));
cl::opt<bool> quiet("quiet", cl::desc("Print diagnostics only, no per-kernel summary"), cl::cat(category));
enum class PersistentLoop { kBlocks, kChunks };
cl::opt<PersistentLoop> persistent_loop(
    "persistent-loop", cl::desc("Loop of the persistent variants (manifest \"loop\")"),
    cl::init(PersistentLoop::kBlocks),
    cl::values(clEnumValN(PersistentLoop::kBlocks, "blocks", "a barrier after each logical block (default)"),
               clEnumValN(PersistentLoop::kChunks, "chunks",
                          "where the kernel's logical blocks share nothing inside a block (no shared memory, "
                          "barriers, warp-level operations, asm or unseen calls): one barrier per claimed chunk; "
                          "pays off with the runtime's claim budget (C > 1)")),
    cl::cat(category));

std::string support_include_dir(const char* argv0) {
  // Installed: <prefix>/bin/miriamc next to <prefix>/include/miriam/.
  std::string exe = llvm::sys::fs::getMainExecutable(argv0, reinterpret_cast<void*>(&support_include_dir));
  llvm::SmallString<256> installed(llvm::sys::path::parent_path(llvm::sys::path::parent_path(exe)));
  llvm::sys::path::append(installed, "include");
  llvm::SmallString<256> probe(installed);
  llvm::sys::path::append(probe, "miriam", "elastic.cuh");
  if (llvm::sys::fs::exists(probe)) return std::string(installed);
  return MIRIAM_SOURCE_INCLUDE_DIR;
}

}  // namespace

int main(int argc, const char** argv) {
  // Arguments after "--" go to clang untouched.
  std::vector<std::string> extra_args;
  int own_argc = argc;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--") == 0) {
      own_argc = i;
      for (int j = i + 1; j < argc; ++j) extra_args.push_back(argv[j]);
      break;
    }

  cl::SetVersionPrinter([](llvm::raw_ostream& os) {
    os << "miriamc " << MIRIAM_VERSION << " (Clang " << MIRIAM_CLANG_VERSION << ")\n";
  });
  cl::HideUnrelatedOptions(category);
  if (!cl::ParseCommandLineOptions(own_argc, argv,
                                   "miriamc: emits elastic variants (grid slicing, ...) of CUDA kernels and a "
                                   "manifest for the Miriam runtime.\n\n"
                                   "  miriamc kernels.cu -o out/ [-- <clang args>]\n"
                                   "  miriamc -p build/ a.cu b.cu -o out/\n",
                                   &llvm::errs()))
    return 1;

  miriam::DriverOptions options;
  options.sources.assign(sources.begin(), sources.end());
  options.build_dir = build_dir;
  options.output_dir = output_dir;
  if (!cuda_path.empty())
    options.cuda_path = cuda_path;
  else if (const char* env = std::getenv("CUDA_PATH"); env && *env)
    options.cuda_path = env;
  options.arch = arch;
  options.passes.assign(passes.begin(), passes.end());
  options.extra_args = extra_args;
  options.depfile = depfile;
  options.verify = !no_verify;
  options.quiet = quiet;
  options.rewrite_launches = rewrite_launches;
  options.support_include_dir = support_include_dir(argv[0]);
  options.clang_resource_dir = MIRIAM_CLANG_RESOURCE_DIR;
  options.tool_version = MIRIAM_VERSION;
  miriam::PassOptions pass_options;
  pass_options.persistent_chunk_loop = persistent_loop == PersistentLoop::kChunks;
  return miriam::run_driver(
      options,
      [&](const std::vector<std::string>& names, std::string& error) {
        return miriam::make_passes(names, error, pass_options);
      },
      miriam::available_pass_names());
}
