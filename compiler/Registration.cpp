#include "Registration.h"

#include "TemplateRenderer.h"
#include "miriam/Templates.inc"

namespace miriam {

namespace {

std::string c_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// "< float >" from an instantiation's "::ns::k< float >".
std::string template_suffix(const KernelInfo& kernel, const InstantiationInfo& inst) {
  return inst.qualified_ref.substr(kernel.qualified_ref.size());
}

}  // namespace

std::string registration_block(const std::vector<KernelOutcome>& kernels, const std::string& source_path,
                               const std::string& sha256, const std::string& manifest_name) {
  std::string tables;
  std::string entries;
  unsigned count = 0;
  for (const KernelOutcome& kernel : kernels) {
    for (const InstantiationInfo& inst : kernel.info.instantiations) {
      std::string table = "nullptr";
      if (!kernel.variants.empty()) {
        table = "__miriam_variants_" + std::to_string(count);
        tables += "const ::miriam::VariantSymbol " + table + "[] = {\n";
        for (const VariantRecord& variant : kernel.variants)
          tables += "    {" + c_string(variant.kind) + ", " + c_string(variant.entry) +
                    ", reinterpret_cast<const void*>(&" + variant.entry_ref + template_suffix(kernel.info, inst) +
                    ")},\n";
        tables += "};\n";
      }
      entries += "    {" + c_string(kernel.info.qualified_name) + ", " + c_string(inst.template_args) + ", " +
                 c_string(inst.mangled) + ", reinterpret_cast<const void*>(&" + inst.qualified_ref + "), " + table +
                 ", " + std::to_string(kernel.variants.size()) + "u},\n";
      ++count;
    }
  }
  if (count == 0) entries = "    {\"\", \"\", \"\", nullptr, nullptr, 0u},  // no kernel instantiations\n";
  return render_template(templates::kRegistration,
                         {{"manifest", manifest_name},
                          {"variant_tables", tables},
                          {"kernel_entries", entries},
                          {"source", c_string(source_path)},
                          {"sha256", c_string(sha256)},
                          {"kernels_ref", "__miriam_kernels"},
                          {"kernel_count", std::to_string(count) + "u"}});
}

}  // namespace miriam
