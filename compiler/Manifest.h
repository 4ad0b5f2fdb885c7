// The manifest: the JSON contract between miriamc and the runtime
// (schema: docs/manifest.schema.json).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "Registration.h"

namespace miriam {

inline constexpr int kManifestSchemaVersion = 1;

struct ManifestHeader {
  std::string tool_version;
  std::string clang_version;
  std::string source_path;
  std::string sha256;
  std::string output_name;  // the .elastic.cu file name
  std::string arch;
};

nlohmann::ordered_json manifest_json(const ManifestHeader& header, const std::vector<KernelOutcome>& kernels);

}  // namespace miriam
