// libFuzzer target: the whole miriamc pipeline on one kernel source, in
// process: parse, analysis, every pass, emission, the verification parse of
// the emitted code and the atomic write of the outputs. Any input may be
// refused with an error; none may crash, hang or break the all-or-nothing
// rule for the output directory, which is checked here after every run.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include "Driver.h"
#include "PassRegistry.h"

namespace {

// One scratch directory per fuzzer process: input.cu and out/ inside it.
const std::string& scratch_dir() {
  static const std::string dir = [] {
    llvm::SmallString<128> path;
    if (llvm::sys::fs::createUniqueDirectory("miriam-compiler-fuzz", path)) std::abort();
    return std::string(path);
  }();
  return dir;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    names.push_back(llvm::sys::path::filename(it->path()).str());
  return names;
}

[[noreturn]] void broken_invariant(const std::string& what) {
  llvm::errs() << "compiler_fuzzer: " << what << "\n";
  std::abort();
}

// Reading a device or a pseudo-file (#include "/dev/stdin") blocks or never
// ends in any compiler; that is the input's doing, not a miriamc hang.
bool names_special_file(std::string_view text) {
  for (std::string_view prefix : {"/dev/", "/proc/", "/sys/"})
    if (text.find(prefix) != std::string_view::npos) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (names_special_file(text)) return -1;  // -1: not added to the corpus

  const std::string input = scratch_dir() + "/input.cu";
  const std::string out = scratch_dir() + "/out";
  {
    std::error_code ec;
    llvm::raw_fd_ostream file(input, ec);
    if (ec) broken_invariant("cannot write " + input + ": " + ec.message());
    file << text;
  }

  miriam::DriverOptions options;
  options.sources = {input};
  options.output_dir = out;
  if (const char* cuda = std::getenv("CUDA_PATH"); cuda && *cuda) options.cuda_path = cuda;
  options.support_include_dir = MIRIAM_SOURCE_INCLUDE_DIR;
  options.clang_resource_dir = MIRIAM_CLANG_RESOURCE_DIR;
  options.tool_version = "fuzz";
  options.quiet = true;
  const auto make_passes = [](const std::vector<std::string>& names, std::string& error) {
    return miriam::make_passes(names, error);
  };
  const int status = miriam::run_driver(options, make_passes, miriam::available_pass_names());

  // All or nothing: both outputs after success, no file at all (not even a
  // staged temporary) after failure.
  std::vector<std::string> written = files_in(out);
  if (status == 0 && written.size() != 2)
    broken_invariant("success, but the output directory holds " + std::to_string(written.size()) + " file(s)");
  if (status != 0 && !written.empty())
    broken_invariant("failure, but '" + written.front() + "' was left in the output directory");
  for (const std::string& name : written) llvm::sys::fs::remove(out + "/" + name);
  return 0;
}
