// The manifest miriamc writes next to each <stem>.elastic.cu, as C++ values.
// The schema is docs/manifest.schema.json; load_manifest checks what the
// runtime relies on and throws ManifestError naming the bad field.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace miriam {

// The kinds of elastic variant a kernel can have (manifest "kind").
enum class VariantKind { kSliced, kPersistent, kShrunk };

const char* to_string(VariantKind kind);
std::optional<VariantKind> variant_kind_from_string(const std::string& text);

struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

struct ParamInfo {
  std::string name;
  std::string type;
  std::optional<std::uint64_t> size;       // empty when it depends on a template parameter
  std::optional<std::uint64_t> alignment;
};

struct KernelInstantiation {
  std::string mangled;
  std::string template_args;  // "" for non-template kernels
  std::vector<ParamInfo> params;
  std::uint64_t static_shared_bytes = 0;
};

struct ExtraParam {
  std::string name;
  std::string type;
  int position = 0;
};

// How a shrunk variant may be launched (manifest "shrink"; miriam/elastic.cuh ShrunkLaunch).
struct ShrinkSpec {
  unsigned max_factor = 0;  // 0: any factor dividing the block's outermost extent > 1
  // Kinds whose launch parameters every launch of it also takes: kSliced
  // means it runs a slice of the grid (leading parameters Slice, Shrink).
  std::vector<VariantKind> combines_with;

  bool combines_with_kind(VariantKind kind) const;
};

struct VariantInfo {
  VariantKind kind = VariantKind::kSliced;
  std::string entry;
  std::vector<std::string> mangled;  // one per instantiation, same order
  std::string launch_helper;         // optional in the manifest
  std::vector<ExtraParam> extra_params;
  std::optional<ShrinkSpec> shrink;  // kind kShrunk: required
};

struct Refusal {
  VariantKind kind = VariantKind::kSliced;
  std::string reason;
  std::optional<SourceLocation> location;
};

struct LaunchBounds {
  std::optional<int> max_threads_per_block;
  std::optional<int> min_blocks_per_sm;
};

struct KernelFeatures {
  bool barriers = false;
  bool warp_level_ops = false;
  bool atomics = false;
  bool dynamic_shared_memory = false;
  bool static_shared_memory = false;
  bool reads_block_idx = false;
  bool reads_grid_dim = false;
  bool early_return = false;
  bool grid_sync = false;
  bool cooperative_groups = false;
  std::vector<std::string> device_callees_reading_builtins;
};

struct KernelInfo {
  std::string name;
  std::string qualified_name;
  SourceLocation location;
  bool is_template = false;
  std::vector<ParamInfo> params;
  std::vector<KernelInstantiation> instantiations;
  std::optional<LaunchBounds> launch_bounds;
  KernelFeatures features;
  std::vector<VariantInfo> variants;
  std::vector<Refusal> refused;

  const VariantInfo* variant(VariantKind kind) const;
};

struct ToolInfo {
  std::string name;
  std::string version;
  std::string clang_version;
};

struct SourceInfo {
  std::string path;
  std::string sha256;
};

struct Manifest {
  std::string origin;  // the file it was read from (or a label), for messages
  int schema_version = 0;
  ToolInfo tool;
  SourceInfo source;
  std::string output;
  std::string arch;
  std::vector<KernelInfo> kernels;
};

// The schema versions this runtime reads.
inline constexpr int kSupportedManifestVersions[] = {1};
std::string supported_manifest_versions();  // "1", or "1, 2"

// A manifest the runtime cannot use. what() reads
//   "<file>: <json path>: <problem>. <hint>"
class ManifestError : public std::runtime_error {
 public:
  ManifestError(std::string file, std::string json_path, std::string problem, std::string hint);

  const std::string& file() const { return file_; }
  const std::string& json_path() const { return json_path_; }  // e.g. "kernels[2].params[0].size"
  const std::string& problem() const { return problem_; }
  const std::string& hint() const { return hint_; }

 private:
  std::string file_, json_path_, problem_, hint_;
};

// Reads and checks a manifest file. Throws ManifestError.
Manifest load_manifest(const std::string& path);

// Same, from JSON text; `origin` names it in messages.
Manifest parse_manifest(const std::string& json_text, const std::string& origin);

}  // namespace miriam
