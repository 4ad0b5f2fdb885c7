#include "miriam/kernel_catalog.h"

#include <fmt/format.h>

namespace miriam {

std::string BoundKernel::display_name() const {
  if (!symbol) return kernel ? kernel->qualified_name : std::string("?");
  if (symbol->template_args[0] == '\0') return symbol->name;
  return fmt::format("{}<{}>", symbol->name, symbol->template_args);
}

namespace {

std::string join_lines(const std::vector<std::string>& problems) {
  std::string out = fmt::format("{} kernel(s) in the manifest do not match this program:", problems.size());
  for (const std::string& p : problems) out += "\n  - " + p;
  return out;
}

std::string inst_name(const KernelInfo& k, const KernelInstantiation& inst) {
  return inst.template_args.empty() ? k.qualified_name
                                    : fmt::format("{}<{}>", k.qualified_name, inst.template_args);
}

const SourceRegistration* registration_of(const Registry& registry, const KernelSymbol* symbol) {
  for (const SourceRegistration* s : registry.sources())
    if (symbol >= s->kernels && symbol < s->kernels + s->kernel_count) return s;
  return nullptr;
}

std::string short_hash(const std::string& h) { return h.size() > 12 ? h.substr(0, 12) + "..." : h; }

// Compares the manifest's parameter list (after `extra` leading variant
// parameters) with what the compiled kernel takes.
void check_layout(const std::string& who, const std::string& what, const std::vector<ParamInfo>& params,
                  std::size_t extra, const std::optional<std::vector<std::uint64_t>>& actual,
                  std::vector<std::string>& problems) {
  if (!actual) return;
  const std::size_t expected = params.size() + extra;
  if (actual->size() != expected) {
    problems.push_back(fmt::format(
        "kernel '{}': the manifest gives {} parameter(s) for the {}, the compiled one takes {}; "
        "the manifest and the program come from different sources: re-run miriamc and rebuild",
        who, expected, what, actual->size()));
    return;
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const ParamInfo& p = params[i];
    const std::uint64_t got = (*actual)[i + extra];
    if (p.size && *p.size != got)
      problems.push_back(fmt::format(
          "kernel '{}': {} parameter {} '{}' ({}) is {} bytes in the manifest, {} bytes in the compiled "
          "kernel; re-run miriamc and rebuild",
          who, what, i, p.name, p.type, *p.size, got));
  }
}

// The runtime launches a variant with its leading parameters in this order
// (what miriamc's passes emit); any other layout would be launched wrong.
void check_extra_params(const std::string& who, const VariantInfo& v, std::vector<std::string>& problems) {
  static const std::vector<std::string> sliced = {"Slice"};
  static const std::vector<std::string> persistent = {"PersistentControl*", "Slice"};
  static const std::vector<std::string> shrunk = {"Shrink"};
  static const std::vector<std::string> sliced_shrunk = {"Slice", "Shrink"};
  const bool takes_slice = v.shrink && v.shrink->combines_with_kind(VariantKind::kSliced);
  const std::vector<std::string>* expected = v.kind == VariantKind::kSliced       ? &sliced
                                             : v.kind == VariantKind::kPersistent ? &persistent
                                             : takes_slice                        ? &sliced_shrunk
                                                                                  : &shrunk;
  bool ok = v.extra_params.size() == expected->size();
  for (std::size_t i = 0; ok && i < expected->size(); ++i) {
    const ExtraParam& p = v.extra_params[i];
    std::string type;
    for (char c : p.type)
      if (c != ' ') type += c;
    const std::string& want = (*expected)[i];
    ok = p.position == static_cast<int>(i) && type.size() >= want.size() &&
         type.compare(type.size() - want.size(), want.size(), want) == 0;
  }
  if (!ok) {
    std::string want;
    for (const std::string& t : *expected) want += (want.empty() ? "miriam::" : ", miriam::") + t;
    problems.push_back(fmt::format("kernel '{}': the {} variant's leading parameters are not ({}), which this "
                                   "runtime passes; use a miriamc of the same release as the runtime",
                                   who, to_string(v.kind), want));
  }
}

}  // namespace

BindingError::BindingError(std::vector<std::string> problems)
    : std::runtime_error(join_lines(problems)), problems_(std::move(problems)) {}

std::vector<BoundKernel> bind_manifest(const Manifest& manifest, const Registry& registry,
                                       const KernelIntrospector* introspector) {
  std::vector<BoundKernel> bound;
  std::vector<std::string> problems;
  for (const KernelInfo& k : manifest.kernels) {
    for (const KernelInstantiation& inst : k.instantiations) {
      const std::string who = inst_name(k, inst);
      const KernelSymbol* symbol = registry.find_by_mangled(inst.mangled);
      if (!symbol) {
        problems.push_back(fmt::format(
            "kernel '{}' ({}) from {} is not compiled into this program; build {} (the file miriamc "
            "emitted) into the program, or stop loading this manifest",
            who, inst.mangled, manifest.origin, manifest.output));
        continue;
      }
      BoundKernel b;
      b.manifest = &manifest;
      b.kernel = &k;
      b.instantiation = &inst;
      b.symbol = symbol;
      b.registration = registration_of(registry, symbol);

      if (b.registration && manifest.source.sha256 != b.registration->content_hash)
        problems.push_back(fmt::format(
            "kernel '{}': the program was built from {} with sha256 {}, the manifest describes sha256 {}; "
            "one of them is stale: re-run miriamc on the source and rebuild",
            who, b.registration->source, short_hash(b.registration->content_hash),
            short_hash(manifest.source.sha256)));
      if (k.qualified_name != symbol->name || inst.template_args != symbol->template_args)
        problems.push_back(fmt::format(
            "kernel '{}': mangled name {} is registered as '{}' with template arguments '{}'", who,
            inst.mangled, symbol->name, symbol->template_args));
      if (!k.is_template && k.params.size() != inst.params.size())
        problems.push_back(fmt::format(
            "kernel '{}': the manifest lists {} parameter(s) for the kernel but {} for its instantiation; "
            "regenerate the manifest",
            who, k.params.size(), inst.params.size()));

      check_layout(who, "original kernel", inst.params, 0,
                   introspector ? introspector->param_sizes(symbol->original) : std::nullopt, problems);

      for (const VariantInfo& v : k.variants) {
        const VariantSymbol* vs = symbol->variant(to_string(v.kind));
        if (!vs) {
          problems.push_back(fmt::format(
              "kernel '{}': the manifest lists a {} variant the program did not register; rebuild the "
              "program from the current {}",
              who, to_string(v.kind), manifest.output));
          continue;
        }
        if (v.entry != vs->entry)
          problems.push_back(fmt::format("kernel '{}': {} variant entry is '{}' in the manifest, '{}' in the "
                                         "program; re-run miriamc and rebuild",
                                         who, to_string(v.kind), v.entry, vs->entry));
        check_extra_params(who, v, problems);
        check_layout(who, std::string(to_string(v.kind)) + " variant", inst.params, v.extra_params.size(),
                     introspector ? introspector->param_sizes(vs->host_stub) : std::nullopt, problems);
        b.variants[static_cast<std::size_t>(v.kind)] = BoundVariant{&v, vs};
      }
      bound.push_back(b);
    }
  }
  if (!problems.empty()) throw BindingError(std::move(problems));
  return bound;
}

void KernelCatalog::load(const std::string& manifest_path, const Registry& registry,
                         const KernelIntrospector* introspector) {
  add(load_manifest(manifest_path), registry, introspector);
}

void KernelCatalog::add(Manifest manifest, const Registry& registry, const KernelIntrospector* introspector) {
  auto owned = std::make_unique<Manifest>(std::move(manifest));
  std::vector<BoundKernel> bound = bind_manifest(*owned, registry, introspector);
  std::vector<std::string> problems;
  for (const BoundKernel& b : bound)
    if (by_mangled_.count(b.instantiation->mangled))
      problems.push_back(fmt::format("kernel '{}' ({}) is described by two manifests: {} and {}",
                                     b.display_name(), b.instantiation->mangled,
                                     by_mangled_.at(b.instantiation->mangled)->manifest->origin, owned->origin));
  if (!problems.empty()) throw BindingError(std::move(problems));
  for (const BoundKernel& b : bound) {
    kernels_.push_back(std::make_unique<BoundKernel>(b));
    const BoundKernel* k = kernels_.back().get();
    by_original_[k->symbol->original] = k;
    by_mangled_[k->instantiation->mangled] = k;
  }
  manifests_.push_back(std::move(owned));
}

const BoundKernel* KernelCatalog::find_by_original(const void* host_stub) const {
  auto it = by_original_.find(host_stub);
  return it == by_original_.end() ? nullptr : it->second;
}

const BoundKernel* KernelCatalog::find_by_mangled(const std::string& mangled) const {
  auto it = by_mangled_.find(mangled);
  return it == by_mangled_.end() ? nullptr : it->second;
}

}  // namespace miriam
