// The passes miriamc knows, by the name used with --passes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "Pass.h"

namespace miriam {

std::vector<std::string> available_pass_names();

// Choices that change what a pass emits (miriamc's options).
struct PassOptions {
  bool persistent_chunk_loop = false;  // --persistent-loop=chunks (PersistentPass)
};

// The passes named, in order; an unknown name sets `error` and returns none.
std::vector<std::unique_ptr<Pass>> make_passes(const std::vector<std::string>& names, std::string& error,
                                               const PassOptions& options = {});

}  // namespace miriam
