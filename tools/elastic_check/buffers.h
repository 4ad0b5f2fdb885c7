// Device buffers of one launch: allocated once (so every run and schedule
// sees the same addresses), reset from host images, read back for comparison.
#pragma once

#include <cuda_runtime.h>

#include <vector>

#include "init.h"
#include "spec.h"

namespace miriam::check {

class DeviceBuffers {
 public:
  // One allocation per buffer, of its bytes plus `guard_bytes`.
  explicit DeviceBuffers(const LaunchSpec& spec, std::size_t guard_bytes = kGuardBytes);
  ~DeviceBuffers();
  DeviceBuffers(const DeviceBuffers&) = delete;
  DeviceBuffers& operator=(const DeviceBuffers&) = delete;

  // Copies every image (buffer + guard zone) to the device; ordered on `stream`.
  void upload(const std::vector<HostImage>& images, cudaStream_t stream);
  // Waits for `stream`, then reads every buffer and guard zone back.
  std::vector<HostImage> download(cudaStream_t stream) const;

  const std::vector<void*>& pointers() const { return pointers_; }

 private:
  std::vector<void*> pointers_;
  std::vector<std::size_t> sizes_;  // bytes incl. guard zone
};

}  // namespace miriam::check
