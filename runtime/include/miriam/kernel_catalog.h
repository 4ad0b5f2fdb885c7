// Binding manifests to the kernels compiled into the program: every manifest
// entry must match a registered KernelSymbol (mangled name, source hash,
// variants, parameter layout), or start-up fails with a BindingError that
// names each mismatched kernel.
#pragma once

#include <array>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "miriam/kernel_introspector.h"
#include "miriam/manifest.h"
#include "miriam/registry.h"

namespace miriam {

struct BoundVariant {
  const VariantInfo* info = nullptr;      // what the manifest says (extra params, ...)
  const VariantSymbol* symbol = nullptr;  // what to launch
};

// One kernel instantiation, with the manifest's description and the program's symbols.
struct BoundKernel {
  const Manifest* manifest = nullptr;
  const KernelInfo* kernel = nullptr;
  const KernelInstantiation* instantiation = nullptr;
  const KernelSymbol* symbol = nullptr;
  const SourceRegistration* registration = nullptr;
  std::array<BoundVariant, 3> variants{};  // indexed by VariantKind; symbol null when absent

  const BoundVariant* variant(VariantKind kind) const {
    const BoundVariant& v = variants[static_cast<std::size_t>(kind)];
    return v.symbol ? &v : nullptr;
  }
  std::string display_name() const;  // "ns::gemm<float, 16>"
};

class BindingError : public std::runtime_error {
 public:
  explicit BindingError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Binds every instantiation of `manifest` against `registry`. Checks all and
// throws one BindingError listing every mismatch. `introspector` may be null
// (parameter layouts are then checked only within the manifest).
std::vector<BoundKernel> bind_manifest(const Manifest& manifest, const Registry& registry,
                                       const KernelIntrospector* introspector);

// The bound kernels of all loaded manifests, found by the host stub a caller
// launches (the original kernel) or by mangled name.
class KernelCatalog {
 public:
  // Loads, parses and binds; throws ManifestError or BindingError.
  void load(const std::string& manifest_path, const Registry& registry,
            const KernelIntrospector* introspector);
  void add(Manifest manifest, const Registry& registry, const KernelIntrospector* introspector);

  const BoundKernel* find_by_original(const void* host_stub) const;
  const BoundKernel* find_by_mangled(const std::string& mangled) const;
  std::size_t size() const { return kernels_.size(); }
  const std::vector<std::unique_ptr<Manifest>>& manifests() const { return manifests_; }

 private:
  std::vector<std::unique_ptr<Manifest>> manifests_;  // owned, so BoundKernel pointers stay valid
  std::vector<std::unique_ptr<BoundKernel>> kernels_;
  std::unordered_map<const void*, const BoundKernel*> by_original_;
  std::unordered_map<std::string, const BoundKernel*> by_mangled_;
};

}  // namespace miriam
