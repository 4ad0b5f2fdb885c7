#include "init.h"

#include <cstring>

namespace miriam::check {

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
  Rng r(a ^ (b * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull));
  return r.next();
}

std::uint64_t hash_string(const char* s, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (std::size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 0x100000001b3ull;
  return h;
}

namespace {

template <typename T>
void store(unsigned char* out, std::size_t i, T value) {
  std::memcpy(out + i * sizeof(T), &value, sizeof(T));
}

void fill_random(const BufferSpec& b, unsigned char* out, Rng& rng) {
  const std::size_t n = b.count;
  if (elem_is_integer(b.type)) {
    const bool is_signed = b.type == ElemType::Int || b.type == ElemType::Int8 || b.type == ElemType::Int64;
    const std::uint64_t lo = is_signed ? static_cast<std::uint64_t>(static_cast<long long>(b.min))
                                       : static_cast<std::uint64_t>(b.min);
    const std::uint64_t hi = is_signed ? static_cast<std::uint64_t>(static_cast<long long>(b.max))
                                       : static_cast<std::uint64_t>(b.max);
    const std::uint64_t span = hi - lo + 1;  // 0: the whole 64-bit range
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t v = lo + (span ? rng.below(span) : rng.next());
      switch (b.type) {
        case ElemType::Int: store(out, i, static_cast<std::int32_t>(v)); break;
        case ElemType::Unsigned: store(out, i, static_cast<std::uint32_t>(v)); break;
        case ElemType::Int8: store(out, i, static_cast<std::int8_t>(v)); break;
        case ElemType::Uint8: store(out, i, static_cast<std::uint8_t>(v)); break;
        case ElemType::Int64: store(out, i, static_cast<std::int64_t>(v)); break;
        default: store(out, i, v); break;
      }
    }
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (b.type == ElemType::Double) {
      const double u = static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
      store(out, i, b.min + u * (b.max - b.min));
    } else {
      const float u = static_cast<float>(rng.next() >> 40) * 0x1.0p-24f;
      const float lo = static_cast<float>(b.min), hi = static_cast<float>(b.max);
      const float v = lo + u * (hi - lo);
      if (b.type == ElemType::Float) store(out, i, v);
      else store(out, i, float_to_half_bits(v));
    }
  }
}

}  // namespace

std::vector<HostImage> make_initial_images(const LaunchSpec& spec, std::uint64_t seed, unsigned run,
                                           std::size_t guard_bytes) {
  std::uint64_t launch_seed = mix_seed(seed, hash_string(spec.file.data(), spec.file.size()));
  launch_seed = mix_seed(launch_seed, spec.index);
  launch_seed = mix_seed(launch_seed, run);
  std::vector<HostImage> images;
  images.reserve(spec.buffers.size());
  for (std::size_t k = 0; k < spec.buffers.size(); ++k) {
    const BufferSpec& b = spec.buffers[k];
    HostImage image(b.bytes() + guard_bytes, kGuardByte);
    switch (b.init) {
      case Init::Zero: std::memset(image.data(), 0, b.bytes()); break;
      case Init::Poison: std::memset(image.data(), kPoisonByte, b.bytes()); break;
      case Init::Random: {
        Rng rng(mix_seed(launch_seed, k));
        fill_random(b, image.data(), rng);
        break;
      }
    }
    images.push_back(std::move(image));
  }
  return images;
}

}  // namespace miriam::check
