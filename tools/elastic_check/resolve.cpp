#include "resolve.h"

#include <fmt/format.h>

namespace miriam::check {

const ::miriam::KernelSymbol* find_symbol(const ::miriam::Registry& registry, const std::string& name,
                                          const std::string& template_args) {
  const std::string wanted = normalize_template_args(template_args);
  for (const ::miriam::SourceRegistration* source : registry.sources())
    for (unsigned i = 0; i < source->kernel_count; ++i) {
      const ::miriam::KernelSymbol& k = source->kernels[i];
      if (name == k.name && wanted == normalize_template_args(k.template_args)) return &k;
    }
  return nullptr;
}

std::string check_arguments(const LaunchSpec& spec, const ManifestEntry& entry) {
  if (spec.args.size() != entry.params.size())
    return fmt::format("the spec gives {} argument(s), the kernel takes {} parameter(s)", spec.args.size(),
                       entry.params.size());
  for (std::size_t i = 0; i < spec.args.size(); ++i) {
    const ManifestParam& p = entry.params[i];
    if (p.size && *p.size != spec.args[i].size)
      return fmt::format("arg{}: the spec's argument is {} byte(s), parameter '{}' ({}) is {} byte(s)", i,
                         spec.args[i].size, p.name, p.type, *p.size);
    if (p.alignment && *p.alignment != spec.args[i].alignment)
      return fmt::format("arg{}: the spec's argument is {}-byte aligned, parameter '{}' ({}) is {}-byte aligned", i,
                         spec.args[i].alignment, p.name, p.type, *p.alignment);
  }
  return "";
}

bool selected(const LaunchSpec& spec, const std::string& only) {
  if (only.empty() || only == spec.kernel) return true;
  // Whole names normalize like template argument lists: "ns::k<float,16>" == "ns::k<float, 16>".
  return normalize_template_args(only) == normalize_template_args(spec.display_name());
}

std::vector<Plan> resolve(std::vector<LaunchSpec> specs, const ManifestView& manifests,
                          const ::miriam::Registry& registry, const std::string& only) {
  std::vector<Plan> plans;
  for (LaunchSpec& spec : specs) {
    if (!selected(spec, only)) continue;
    Plan plan;
    plan.symbol = find_symbol(registry, spec.kernel, spec.template_args);
    plan.manifest = manifests.find(spec.kernel, spec.template_args);
    const std::string who = fmt::format("{} ({} launches[{}])", spec.display_name(), spec.file, spec.index);
    if (!plan.symbol)
      plan.error = fmt::format("{}: not in the registry: no emitted .elastic.cu linked into elastic_check registers it",
                               who);
    else if (!plan.manifest)
      plan.error = fmt::format("{}: no manifest entry in the manifests directory", who);
    else if (plan.manifest->mangled != plan.symbol->mangled)
      plan.error = fmt::format("{}: manifest {} says mangled name {}, the registry says {}: manifest and binary differ",
                               who, plan.manifest->manifest, plan.manifest->mangled, plan.symbol->mangled);
    else if (std::string e = check_arguments(spec, *plan.manifest); !e.empty())
      plan.error = fmt::format("{}: {}", who, e);
    plan.spec = std::move(spec);
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace miriam::check
