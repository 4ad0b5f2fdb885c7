#include "kernel_cache.h"

#include <algorithm>

#include "cuda_check.h"

namespace miriam::detail {

Status KernelCache::get(const void* kernel, KernelEntry** out, std::string& error_message) {
  auto it = entries_.find(kernel);
  if (it != entries_.end()) {
    *out = it->second.get();
    return Status::kSuccess;
  }
  auto e = std::make_unique<KernelEntry>();
  e->original = kernel;
  if (cudaFuncGetAttributes(&e->attrs, kernel) != cudaSuccess) {
    cudaGetLastError();
    error_message = "not a kernel compiled into this program (cudaFuncGetAttributes failed)";
    return Status::kErrorUnknownKernel;
  }
  // Argument values must be copied: a normal launch may be issued after submit returns.
  std::uint32_t offset = 0;
  for (std::size_t i = 0;; ++i) {
    std::size_t param_offset = 0, size = 0;
    const cudaError_t err = cudaFuncGetParamInfo(kernel, i, &param_offset, &size);
    if (err != cudaSuccess) {
      cudaGetLastError();
      if (err == cudaErrorInvalidValue) break;  // past the last parameter
      error_message = cuda_error_text(err, "cudaFuncGetParamInfo");
      return Status::kErrorCuda;
    }
    if (i == kMaxKernelParams) return Status::kErrorTooManyArguments;
    const std::uint32_t align = static_cast<std::uint32_t>(std::min<std::size_t>(16, size >= 16 ? 16 : (size >= 8 ? 8 : (size >= 4 ? 4 : (size >= 2 ? 2 : 1)))));
    offset = (offset + align - 1) / align * align;
    e->arg_offsets.push_back(offset);
    e->arg_sizes.push_back(static_cast<std::uint32_t>(size));
    offset += static_cast<std::uint32_t>(size);
  }
  if (offset > kMaxArgBytes) {
    error_message = "kernel arguments exceed " + std::to_string(kMaxArgBytes) + " bytes";
    return Status::kErrorTooManyArguments;
  }
  e->arg_bytes = offset;
  if (catalog_) {
    if (const BoundKernel* bound = catalog_->find_by_original(kernel)) {
      e->label = bound->display_name();
      e->mangled = bound->instantiation->mangled;
      if (const BoundVariant* v = bound->variant(VariantKind::kSliced)) {
        if (cudaFuncGetAttributes(&e->sliced_attrs, v->symbol->host_stub) == cudaSuccess) {
          e->sliced = v->symbol->host_stub;
        } else {
          cudaGetLastError();  // launch it whole rather than fail
        }
      }
    }
  }
  if (e->label.empty()) {
    const char* name = nullptr;
    if (cudaFuncGetName(&name, kernel) == cudaSuccess && name) e->label = name;
    else cudaGetLastError(), e->label = "kernel";
  }
  *out = e.get();
  entries_.emplace(kernel, std::move(e));
  return Status::kSuccess;
}

void KernelCache::footprints(KernelEntry& e, dim3 block, std::size_t shared_bytes, KernelFootprint* original,
                             KernelFootprint* sliced, const ShardTiming** timing) {
  const int threads = static_cast<int>(block.x * block.y * block.z);
  if (threads != e.cached_threads || shared_bytes != e.cached_shared) {
    e.cached_threads = threads;
    e.cached_shared = shared_bytes;
    int n = 0;
    e.cached_blocks_per_sm =
        cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, e.original, threads, shared_bytes) == cudaSuccess ? n : 0;
    n = 0;
    e.cached_sliced_blocks_per_sm =
        e.sliced && cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, e.sliced, threads, shared_bytes) == cudaSuccess
            ? n
            : 0;
    cudaGetLastError();
    e.cached_timing = (profile_ && !e.mangled.empty())
                          ? profile_->find(e.mangled, VariantKind::kSliced, static_cast<unsigned>(threads))
                          : nullptr;
  }
  *original = KernelFootprint{threads, e.attrs.numRegs, e.attrs.sharedSizeBytes + shared_bytes, e.cached_blocks_per_sm};
  *sliced = KernelFootprint{threads, e.sliced_attrs.numRegs, e.sliced_attrs.sharedSizeBytes + shared_bytes,
                            e.cached_sliced_blocks_per_sm};
  *timing = e.cached_timing;
}

}  // namespace miriam::detail
