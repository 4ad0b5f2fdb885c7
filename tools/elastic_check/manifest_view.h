// A read-only view of the manifests (*.miriam.json) that miriamc wrote: per
// kernel instantiation, its parameters and the variants offered or refused.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace miriam::check {

struct ManifestError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ManifestParam {
  std::string name;
  std::string type;
  std::optional<std::size_t> size;  // null when the manifest could not tell
  std::optional<std::size_t> alignment;
};

struct ManifestVariant {
  std::string kind;     // "sliced", "persistent", "shrunk"
  std::string entry;    // qualified name of the variant kernel
  std::string mangled;  // for this instantiation; "" if the manifest lists none
};

struct ManifestRefusal {
  std::string kind;
  std::string reason;
  std::string location;  // "file:line:col" or ""
};

// One instantiation of one kernel, with everything the harness needs.
struct ManifestEntry {
  std::string manifest;  // file name of the manifest it came from
  std::string qualified_name;
  std::string template_args;
  std::string mangled;
  std::vector<ManifestParam> params;
  std::size_t static_shared_bytes = 0;
  std::vector<ManifestVariant> variants;
  std::vector<ManifestRefusal> refused;
};

// Spaces dropped except between two identifier characters ("unsigned int"):
// "float ,16" and "float, 16" compare equal.
std::string normalize_template_args(const std::string& args);

class ManifestView {
 public:
  // Reads every *.miriam.json in `dir`.
  static ManifestView load_dir(const std::string& dir);
  // Adds one parsed manifest document; `file` labels messages.
  void add_document(const std::string& json_text, const std::string& file);

  const ManifestEntry* find(const std::string& qualified_name, const std::string& template_args) const;
  std::size_t manifest_count() const { return manifests_; }
  const std::vector<ManifestEntry>& entries() const { return entries_; }
  // Duplicate instantiations found while loading (the first one wins).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  void add_kernels(const nlohmann::json& doc, const std::string& file);

  std::vector<ManifestEntry> entries_;
  std::vector<std::string> warnings_;
  std::size_t manifests_ = 0;
};

}  // namespace miriam::check
