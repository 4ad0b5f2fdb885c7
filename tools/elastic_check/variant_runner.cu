#include "variant_runner.h"

#include "cuda_check.h"

namespace miriam::check {

void KernelLaunch::launch_original(ArgPack& args, cudaStream_t stream) const {
  MIRIAM_CUDA(cudaLaunchKernel(symbol->original, grid, block, args.args(), dynamic_shared_bytes, stream));
  MIRIAM_CHECK_LAUNCH("original kernel launch");
}

void allow_dynamic_shared(const void* host_stub, std::size_t bytes) {
  if (bytes <= 48 * 1024) return;
  MIRIAM_CUDA(cudaFuncSetAttribute(host_stub, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(bytes)));
}

void launch_slice(const void* host_stub, const ::miriam::SliceLaunch& slice, ArgPack& args, const char* what) {
  ::miriam::Slice value = slice.slice();
  std::vector<void*> params = args.with_prefix({&value});
  MIRIAM_CUDA(cudaLaunchKernel(host_stub, slice.physical_grid(), slice.block, params.data(), slice.shared_bytes,
                               slice.stream));
  MIRIAM_CHECK_LAUNCH(what);
}

FuncAttributes function_attributes(const void* host_stub) {
  cudaFuncAttributes a{};
  MIRIAM_CUDA(cudaFuncGetAttributes(&a, host_stub));
  return FuncAttributes{a.numRegs, a.localSizeBytes, a.sharedSizeBytes, a.maxThreadsPerBlock};
}

std::unique_ptr<VariantRunner> make_variant_runner(const std::string& kind, const KernelLaunch& launch,
                                                   const ::miriam::VariantSymbol& variant) {
  static const struct {
    const char* kind;
    RunnerFactory make;
  } kRunners[] = {
      {"sliced", &make_sliced_runner},
      {"persistent", &make_persistent_runner},
      {"shrunk", &make_shrunk_runner},
  };
  for (const auto& r : kRunners)
    if (kind == r.kind) return r.make(launch, variant);
  return nullptr;
}

}  // namespace miriam::check
