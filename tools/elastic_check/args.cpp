#include "args.h"

#include <cstring>

namespace miriam::check {

void serialize_arg(const ArgSpec& arg, const std::vector<void*>& buffers, unsigned char* out) {
  switch (arg.kind) {
    case ArgSpec::Kind::Scalar: std::memcpy(out, arg.scalar.data(), arg.size); break;
    case ArgSpec::Kind::Buffer: {
      void* ptr = buffers.at(arg.buffer);
      std::memcpy(out, &ptr, sizeof ptr);
      break;
    }
    case ArgSpec::Kind::Struct:
      std::memset(out, 0, arg.size);
      for (std::size_t i = 0; i < arg.fields.size(); ++i) serialize_arg(arg.fields[i], buffers, out + arg.offsets[i]);
      break;
  }
}

ArgPack::ArgPack(const LaunchSpec& spec, const std::vector<void*>& buffers) {
  storage_.reserve(spec.args.size());
  for (const ArgSpec& arg : spec.args) {
    std::vector<unsigned char> bytes(arg.size, 0);  // cudaLaunchKernel copies arg.size bytes from here
    serialize_arg(arg, buffers, bytes.data());
    storage_.push_back(std::move(bytes));
  }
  for (auto& bytes : storage_) pointers_.push_back(bytes.data());
}

std::vector<void*> ArgPack::with_prefix(std::initializer_list<void*> prefix) const {
  std::vector<void*> out(prefix);
  out.insert(out.end(), pointers_.begin(), pointers_.end());
  return out;
}

}  // namespace miriam::check
