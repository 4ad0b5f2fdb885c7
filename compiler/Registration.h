// The registration block appended to every .elastic.cu: it tells the runtime
// which host stub is which kernel instantiation and which variant.
#pragma once

#include <string>
#include <vector>

#include "EmitContext.h"
#include "KernelModel.h"

namespace miriam {

struct KernelOutcome {
  KernelInfo info;
  std::vector<VariantRecord> variants;
  std::vector<RefusalRecord> refused;
};

std::string registration_block(const std::vector<KernelOutcome>& kernels, const std::string& source_path,
                               const std::string& sha256, const std::string& manifest_name);

}  // namespace miriam
