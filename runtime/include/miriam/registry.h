// The registry of kernels compiled into a program, filled by the registration
// code at the end of every .elastic.cu file that miriamc emits.
//
// Header-only on purpose: an emitted file needs nothing but this header to
// compile and link. The runtime binds manifest entries to these symbols.
#pragma once

#include <cstring>
#include <string>
#include <vector>

namespace miriam {

// One elastic variant of one kernel instantiation. `kind` is the manifest's
// variant kind ("sliced", ...); `host_stub` is what cudaLaunchKernel takes.
struct VariantSymbol {
  const char* kind;
  const char* entry;
  const void* host_stub;
};

// One instantiation of one kernel (a non-template kernel has exactly one).
struct KernelSymbol {
  const char* name;            // qualified source name, e.g. "ns::gemm"
  const char* template_args;   // "float, 16" or "" for non-templates
  const char* mangled;         // the original kernel's mangled name
  const void* original;        // host stub of the unchanged kernel
  const VariantSymbol* variants;
  unsigned variant_count;

  const VariantSymbol* variant(const char* kind) const {
    for (unsigned i = 0; i < variant_count; ++i)
      if (std::strcmp(variants[i].kind, kind) == 0) return &variants[i];
    return nullptr;
  }
};

// Everything one .elastic.cu file registers.
struct SourceRegistration {
  const char* source;        // the original source path given to miriamc
  const char* content_hash;  // sha256 of the original source, as in the manifest
  const KernelSymbol* kernels;
  unsigned kernel_count;
};

class Registry {
 public:
  void add(const SourceRegistration* source) { sources_.push_back(source); }
  const std::vector<const SourceRegistration*>& sources() const { return sources_; }

  const KernelSymbol* find_by_mangled(const std::string& mangled) const {
    for (const SourceRegistration* s : sources_)
      for (unsigned i = 0; i < s->kernel_count; ++i)
        if (mangled == s->kernels[i].mangled) return &s->kernels[i];
    return nullptr;
  }

  // By qualified name and template arguments ("" for non-templates).
  const KernelSymbol* find(const std::string& name, const std::string& template_args = "") const {
    for (const SourceRegistration* s : sources_)
      for (unsigned i = 0; i < s->kernel_count; ++i)
        if (name == s->kernels[i].name && template_args == s->kernels[i].template_args)
          return &s->kernels[i];
    return nullptr;
  }

 private:
  std::vector<const SourceRegistration*> sources_;
};

// One registry per program: an inline function's static is shared by all TUs.
inline Registry& registry() {
  static Registry instance;
  return instance;
}

struct Registrar {
  explicit Registrar(const SourceRegistration& source) { registry().add(&source); }
};

}  // namespace miriam
