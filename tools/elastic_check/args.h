// The bytes of a launch's arguments as the kernel's parameter space holds
// them: scalars by value, buffers as device pointers, structs laid out with
// natural alignment (padding zeroed). Plain C++: device pointers are values.
#pragma once

#include <cstddef>
#include <vector>

#include "spec.h"

namespace miriam::check {

class ArgPack {
 public:
  // `buffers[i]` is the device address of spec.buffers[i].
  ArgPack(const LaunchSpec& spec, const std::vector<void*>& buffers);

  // For cudaLaunchKernel: one pointer per kernel parameter.
  void** args() { return pointers_.data(); }
  std::size_t count() const { return pointers_.size(); }
  // {prefix..., original args...}: for variants with extra leading parameters.
  std::vector<void*> with_prefix(std::initializer_list<void*> prefix) const;
  const std::vector<unsigned char>& bytes(std::size_t arg) const { return storage_[arg]; }

 private:
  std::vector<std::vector<unsigned char>> storage_;
  std::vector<void*> pointers_;
};

// Writes the bytes of `arg` at `out` (arg.size bytes).
void serialize_arg(const ArgSpec& arg, const std::vector<void*>& buffers, unsigned char* out);

}  // namespace miriam::check
