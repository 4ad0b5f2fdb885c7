// Binds each launch spec to its registered kernel instantiation and its
// manifest entry, and checks that the spec's arguments fit the parameters.
#pragma once

#include <string>
#include <vector>

#include "manifest_view.h"
#include "miriam/registry.h"
#include "spec.h"

namespace miriam::check {

struct Plan {
  LaunchSpec spec;
  const ::miriam::KernelSymbol* symbol = nullptr;
  const ManifestEntry* manifest = nullptr;
  std::string error;  // non-empty: this launch cannot be checked
};

// Registry lookup with template arguments compared after normalize_template_args.
const ::miriam::KernelSymbol* find_symbol(const ::miriam::Registry& registry, const std::string& name,
                                          const std::string& template_args);

// Empty when `spec`'s arguments match `entry`'s parameters (count, and size
// where the manifest knows it); otherwise what is wrong.
std::string check_arguments(const LaunchSpec& spec, const ManifestEntry& entry);

// True when `only` is empty or names the spec's kernel ("ns::k" or "ns::k<float, 16>").
bool selected(const LaunchSpec& spec, const std::string& only);

std::vector<Plan> resolve(std::vector<LaunchSpec> specs, const ManifestView& manifests,
                          const ::miriam::Registry& registry, const std::string& only);

}  // namespace miriam::check
