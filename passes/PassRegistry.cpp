#include "PassRegistry.h"

#include "GridSlicePass.h"
#include "PersistentPass.h"
#include "ShrinkPass.h"

namespace miriam {

namespace {

std::unique_ptr<Pass> make_pass(const std::string& name, const PassOptions& options) {
  if (name == "sliced") return std::make_unique<GridSlicePass>();
  if (name == "persistent") return std::make_unique<PersistentPass>(options.persistent_chunk_loop);
  if (name == "shrunk") return std::make_unique<ShrinkPass>();
  return nullptr;
}

}  // namespace

std::vector<std::string> available_pass_names() { return {"sliced", "persistent", "shrunk"}; }

std::vector<std::unique_ptr<Pass>> make_passes(const std::vector<std::string>& names, std::string& error,
                                               const PassOptions& options) {
  std::vector<std::unique_ptr<Pass>> passes;
  for (const std::string& name : names) {
    std::unique_ptr<Pass> pass = make_pass(name, options);
    if (!pass) {
      error = "unknown pass '" + name + "'; available:";
      for (const std::string& known : available_pass_names()) error += " " + known;
      return {};
    }
    passes.push_back(std::move(pass));
  }
  return passes;
}

}  // namespace miriam
