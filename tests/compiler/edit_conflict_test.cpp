// Conflicting edits inside miriamc (a bug of a pass, never of the input) fail
// the file with an internal error naming both edits, a non-zero exit and no
// outputs. No real pass conflicts, so a test pass here makes two overlapping
// edits inside a clone, and the whole driver runs with it.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <clang/AST/Decl.h>
#include <clang/AST/Stmt.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/raw_ostream.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "Driver.h"
#include "Pass.h"

using namespace miriam;

namespace {

// Two replacements of the kernel's first body tokens that overlap.
class OverlappingClonePass : public Pass {
 public:
  const char* kind() const override { return "conflicting"; }
  const char* description() const override { return "test pass: edits that overlap inside a clone"; }
  PassResult run(const KernelInfo& kernel, EmitContext& emit) override {
    clang::SourceLocation brace = llvm::cast<clang::CompoundStmt>(kernel.pattern->getBody())->getLBracLoc();
    CloneRequest request;
    request.new_name = kernel.name + "__conflicting";
    request.leading_param = "int extra";
    request.origin = "conflicting";
    request.body_edits = {{brace.getLocWithOffset(1), 4, "A"}, {brace.getLocWithOffset(3), 4, "B"}};
    std::string error;
    if (!emit.cloner().clone(kernel.pattern, request, error)) return PassRefusal{{{{}, error, {}}}};
    return VariantRecord{};
  }
};

struct DriverRun {
  int status = 0;
  std::string errors;  // what it printed to stderr
};

// Runs the driver with `passes`, capturing stderr (llvm::errs() writes to fd 2).
DriverRun run_with(const DriverOptions& options, const PassFactory& passes) {
  llvm::errs().flush();
  int saved = dup(2);
  std::string capture = options.output_dir + ".stderr";
  int fd = open(capture.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  dup2(fd, 2);
  DriverRun run;
  run.status = run_driver(options, passes, {});
  llvm::errs().flush();
  dup2(saved, 2);
  close(saved);
  close(fd);
  std::ifstream in(capture);
  std::stringstream text;
  text << in.rdbuf();
  run.errors = text.str();
  return run;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    names.push_back(it->path());
  return names;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("edits that conflict inside a clone fail the file: internal error, exit 1, no outputs") {
  llvm::SmallString<128> dir;
  REQUIRE_FALSE(llvm::sys::fs::createUniqueDirectory("miriam-edit-conflict", dir));
  const std::string source = std::string(dir) + "/kernel.cu";
  std::ofstream(source) << "__global__ void scale(float* x, float f) {\n  x[blockIdx.x] *= f;\n}\n";

  DriverOptions options;
  options.sources = {source};
  options.output_dir = std::string(dir) + "/out";
  options.support_include_dir = MIRIAM_SOURCE_INCLUDE_DIR;
  options.clang_resource_dir = MIRIAM_CLANG_RESOURCE_DIR;
  options.tool_version = "test";
  options.quiet = true;
  DriverRun run = run_with(options, [](const std::vector<std::string>&, std::string&) {
    std::vector<std::unique_ptr<Pass>> passes;
    passes.push_back(std::make_unique<OverlappingClonePass>());
    return passes;
  });

  CHECK(run.status == 1);
  // Where (the file, at the second edit's line), what, and what to do.
  CHECK(contains(run.errors, "kernel.cu:1:"));
  CHECK(contains(run.errors, "internal error: conflicting edits"));
  CHECK(contains(run.errors, "edit by 'conflicting'"));
  CHECK(contains(run.errors, "overlaps edit by 'conflicting'"));
  CHECK(contains(run.errors, "Please report this; --passes can leave the pass out"));
  CHECK(contains(run.errors, "nothing was written for it"));
  CHECK(files_in(options.output_dir).empty());
  llvm::sys::fs::remove_directories(std::string(dir));
}
