#include "buffers.h"

#include "cuda_check.h"

namespace miriam::check {

DeviceBuffers::DeviceBuffers(const LaunchSpec& spec, std::size_t guard_bytes) {
  try {
    for (const BufferSpec& b : spec.buffers) {
      void* ptr = nullptr;
      MIRIAM_CUDA(cudaMalloc(&ptr, b.bytes() + guard_bytes));
      pointers_.push_back(ptr);
      sizes_.push_back(b.bytes() + guard_bytes);
    }
  } catch (...) {
    for (void* p : pointers_) cudaFree(p);
    throw;
  }
}

DeviceBuffers::~DeviceBuffers() {
  for (void* p : pointers_) cudaFree(p);  // errors here would only hide the first one
}

void DeviceBuffers::upload(const std::vector<HostImage>& images, cudaStream_t stream) {
  for (std::size_t i = 0; i < pointers_.size(); ++i) {
    if (images.at(i).size() != sizes_[i]) throw std::logic_error("host image size does not match its buffer");
    MIRIAM_CUDA(cudaMemcpyAsync(pointers_[i], images[i].data(), sizes_[i], cudaMemcpyHostToDevice, stream));
  }
  // Pageable source memory: the copies are staged before returning, but keep
  // the images' lifetime out of the question.
  MIRIAM_CUDA(cudaStreamSynchronize(stream));
}

std::vector<HostImage> DeviceBuffers::download(cudaStream_t stream) const {
  MIRIAM_CUDA(cudaStreamSynchronize(stream));
  std::vector<HostImage> out;
  out.reserve(pointers_.size());
  for (std::size_t i = 0; i < pointers_.size(); ++i) {
    HostImage image(sizes_[i]);
    MIRIAM_CUDA(cudaMemcpyAsync(image.data(), pointers_[i], sizes_[i], cudaMemcpyDeviceToHost, stream));
    out.push_back(std::move(image));
  }
  MIRIAM_CUDA(cudaStreamSynchronize(stream));
  return out;
}

}  // namespace miriam::check
