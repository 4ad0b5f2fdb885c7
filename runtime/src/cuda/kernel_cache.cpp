#include "kernel_cache.h"

#include <algorithm>

#include "cuda_check.h"

namespace miriam::detail {

namespace {

// A variant the CUDA runtime cannot describe is left unbound: the kernel then
// runs whole (or through its other variant) rather than failing.
void bind_variant(const BoundKernel& bound, VariantKind kind, const void** stub, cudaFuncAttributes* attrs) {
  const BoundVariant* v = bound.variant(kind);
  if (!v) return;
  if (cudaFuncGetAttributes(attrs, v->symbol->host_stub) == cudaSuccess) *stub = v->symbol->host_stub;
  else cudaGetLastError();
}

int occupancy(const void* kernel, int threads, std::size_t shared_bytes) {
  int n = 0;
  if (!kernel || cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, kernel, threads, shared_bytes) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return n;
}

}  // namespace

Status KernelCache::get(const void* kernel, KernelEntry** out, std::string& error_message) {
  auto it = entries_.find(kernel);
  if (it != entries_.end()) {
    *out = it->second.get();
    return Status::kSuccess;
  }
  auto e = std::make_unique<KernelEntry>();
  e->original = kernel;
  if (const cudaError_t err = cudaFuncGetAttributes(&e->attrs, kernel); err != cudaSuccess) {
    cudaGetLastError();
    // cudaErrorInvalidDeviceFunction: not a kernel; cudaErrorNoKernelImageForDevice: built for another GPU.
    error_message = cuda_error_text(err, "cudaFuncGetAttributes") +
                    ": not a kernel compiled into this program for this GPU's architecture";
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
      bind_variant(*bound, VariantKind::kSliced, &e->sliced, &e->sliced_attrs);
      bind_variant(*bound, VariantKind::kPersistent, &e->persistent, &e->persistent_attrs);
      // The coordinator issues shrunk blocks only as shards: the variant must take a slice.
      const BoundVariant* shrunk = bound->variant(VariantKind::kShrunk);
      if (shrunk && shrunk->info->shrink && shrunk->info->shrink->combines_with_kind(VariantKind::kSliced)) {
        bind_variant(*bound, VariantKind::kShrunk, &e->shrunk, &e->shrunk_attrs);
        e->shrink_max_factor = shrunk->info->shrink->max_factor;
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

const LaunchFootprints& KernelCache::footprints(KernelEntry& e, dim3 block, std::size_t shared_bytes) {
  const int threads = static_cast<int>(block.x * block.y * block.z);
  if (threads == e.cached_threads && shared_bytes == e.cached_shared) return e.cached;
  e.cached_threads = threads;
  e.cached_shared = shared_bytes;
  LaunchFootprints& f = e.cached;
  // The application raises the original's dynamic shared memory limit for
  // launches over 48 KiB (maybe after its first launch: read it again); its
  // variants need the same, on this device. Beyond the original's limit they
  // keep theirs, so their launch fails as the original's would.
  if (shared_bytes > static_cast<std::size_t>(e.attrs.maxDynamicSharedSizeBytes) &&
      cudaFuncGetAttributes(&e.attrs, e.original) != cudaSuccess)
    cudaGetLastError();
  const bool original_accepts = shared_bytes <= static_cast<std::size_t>(e.attrs.maxDynamicSharedSizeBytes);
  for (auto [stub, attrs] : {std::pair{e.sliced, &e.sliced_attrs}, std::pair{e.persistent, &e.persistent_attrs},
                             std::pair{e.shrunk, &e.shrunk_attrs}}) {
    if (!stub || !original_accepts || shared_bytes <= static_cast<std::size_t>(attrs->maxDynamicSharedSizeBytes))
      continue;
    if (cudaFuncSetAttribute(stub, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(shared_bytes)) ==
        cudaSuccess)
      attrs->maxDynamicSharedSizeBytes = static_cast<int>(shared_bytes);
    else
      cudaGetLastError();  // the variant's launch then fails with a message naming the kernel
  }
  auto footprint = [&](const cudaFuncAttributes& a, const void* stub, int block_threads = 0) {
    if (block_threads == 0) block_threads = threads;
    return KernelFootprint{block_threads, a.numRegs, a.sharedSizeBytes + shared_bytes,
                           occupancy(stub, block_threads, shared_bytes)};
  };
  f.original = footprint(e.attrs, e.original);
  f.sliced = footprint(e.sliced_attrs, e.sliced);
  f.persistent = footprint(e.persistent_attrs, e.persistent);
  f.shrunk = ShrunkOptions{};
  if (e.shrunk)
    for (unsigned factor : {2u, 4u, 8u})
      if (threads % factor == 0 && (e.shrink_max_factor == 0 || factor <= e.shrink_max_factor))
        f.shrunk.add(factor, footprint(e.shrunk_attrs, e.shrunk, threads / static_cast<int>(factor)));
  const bool profiled = profile_ && !e.mangled.empty();
  f.sliced_timing = profiled ? profile_->find(e.mangled, VariantKind::kSliced, static_cast<unsigned>(threads)) : nullptr;
  f.persistent_timing =
      profiled ? profile_->find(e.mangled, VariantKind::kPersistent, static_cast<unsigned>(threads)) : nullptr;
  return f;
}

}  // namespace miriam::detail
