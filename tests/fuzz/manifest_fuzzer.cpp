// libFuzzer target: manifest loading through the runtime's public API, then
// binding to a small fake program. Malformed JSON, wrong types, huge numbers
// and missing fields must end in ManifestError or BindingError, each with a
// message; any other exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <exception>
#include <string>

#include "miriam/kernel_catalog.h"
#include "miriam/manifest.h"

namespace {

// Stand-ins for host stubs: only their addresses matter. The names and hash
// match the seed corpus/manifest/sample, so mutations reach the binding checks.
char scale_stub, scale_sliced_stub, scale_persistent_stub;
const miriam::VariantSymbol scale_variants[] = {{"sliced", "scale__miriam_sliced", &scale_sliced_stub},
                                                {"persistent", "scale__miriam_persistent", &scale_persistent_stub}};
const miriam::KernelSymbol kernels[] = {{"scale", "", "_Z5scalePfi", &scale_stub, scale_variants, 2}};
const std::string source_hash(64, 'a');
const miriam::SourceRegistration registration{"k.cu", source_hash.c_str(), kernels, 1};

struct FakeIntrospector : miriam::KernelIntrospector {
  std::optional<std::vector<std::uint64_t>> param_sizes(const void* stub) const override {
    if (stub == &scale_stub) return std::vector<std::uint64_t>{8, 4};
    return std::vector<std::uint64_t>{32, 8, 4};
  }
};

void require_message(const std::exception& e) {
  if (std::string(e.what()).empty()) {
    std::fputs("manifest_fuzzer: an error without a message\n", stderr);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const miriam::Registry registry = [] {
    miriam::Registry r;
    r.add(&registration);
    return r;
  }();
  static const FakeIntrospector introspector;

  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    miriam::KernelCatalog catalog;
    catalog.add(miriam::parse_manifest(text, "fuzz.miriam.json"), registry, &introspector);
    // Bound: every kernel must be findable by what the coordinator looks it up by.
    for (const auto& manifest : catalog.manifests())
      for (const miriam::KernelInfo& kernel : manifest->kernels)
        for (const miriam::KernelInstantiation& inst : kernel.instantiations)
          if (!catalog.find_by_mangled(inst.mangled)) std::abort();
  } catch (const miriam::ManifestError& e) {
    require_message(e);
  } catch (const miriam::BindingError& e) {
    require_message(e);
  }
  return 0;
}
