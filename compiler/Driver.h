// The command-line driver of miriamc: builds the clang arguments for each
// source, runs the transformation, verifies the emitted code parses, and
// writes the outputs atomically (all or nothing).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace miriam {

class Pass;

struct DriverOptions {
  std::vector<std::string> sources;
  std::string build_dir;    // -p: directory holding compile_commands.json
  std::string output_dir = ".";
  std::string cuda_path = "/usr/local/cuda";
  std::string arch = "sm_90";
  std::vector<std::string> passes;        // empty: all
  std::vector<std::string> extra_args;    // after "--"
  std::string depfile;                    // Make-style dependency file for build systems
  std::string support_include_dir;        // holds miriam/elastic.cuh, for the verification parse
  std::string clang_resource_dir;
  std::string tool_version;
  bool verify = true;                     // re-parse the emitted code
  bool quiet = false;
  bool rewrite_launches = false;          // host k<<<>>> sites -> miriam::launch_kernel (LaunchSites.h)
};

using PassFactory =
    std::function<std::vector<std::unique_ptr<Pass>>(const std::vector<std::string>& names, std::string& error)>;

// Returns the process exit code.
int run_driver(const DriverOptions& options, const PassFactory& make_passes,
               const std::vector<std::string>& default_passes);

// Keeps the flags of a build command that mean the same to clang (-I, -D,
// -U, -isystem, -include, -std) and drops the rest (nvcc's own flags).
std::vector<std::string> portable_flags(const std::vector<std::string>& command);

}  // namespace miriam
