#include "compare.h"

#include <cstdint>
#include <cstring>

#include <fmt/format.h>

namespace miriam::check {
namespace {

template <typename T>
T load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h & 0x8000u) << 16;
  std::uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu, bits;
  if (exp == 0x1f) bits = sign | 0x7f800000u | (mant << 13);
  else if (exp == 0 && mant == 0) bits = sign;
  else {
    if (exp == 0) {  // subnormal: normalize
      exp = 1;
      while (!(mant & 0x400u)) mant <<= 1, --exp;
      mant &= 0x3ffu;
    }
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  return load<float>(reinterpret_cast<const unsigned char*>(&bits));
}

}  // namespace

std::string format_element(ElemType type, const unsigned char* p) {
  switch (type) {
    case ElemType::Float: return fmt::format("{} (0x{:08x})", load<float>(p), load<std::uint32_t>(p));
    case ElemType::Double: return fmt::format("{} (0x{:016x})", load<double>(p), load<std::uint64_t>(p));
    case ElemType::Half: return fmt::format("{} (0x{:04x})", half_to_float(load<std::uint16_t>(p)), load<std::uint16_t>(p));
    case ElemType::Int: return fmt::format("{}", load<std::int32_t>(p));
    case ElemType::Unsigned: return fmt::format("{}", load<std::uint32_t>(p));
    case ElemType::Int8: return fmt::format("{}", load<std::int8_t>(p));
    case ElemType::Uint8: return fmt::format("{}", load<std::uint8_t>(p));
    case ElemType::Int64: return fmt::format("{}", load<std::int64_t>(p));
    case ElemType::Uint64: return fmt::format("{}", load<std::uint64_t>(p));
  }
  return "?";
}

std::optional<Mismatch> compare_images(const LaunchSpec& spec, const std::vector<HostImage>& expected,
                                       const std::vector<HostImage>& actual, unsigned run) {
  for (std::size_t k = 0; k < spec.buffers.size(); ++k) {
    const HostImage& e = expected.at(k);
    const HostImage& a = actual.at(k);
    if (e.size() == a.size() && std::memcmp(e.data(), a.data(), e.size()) == 0) continue;
    const BufferSpec& b = spec.buffers[k];
    Mismatch m;
    m.run = run;
    m.buffer = b.name;
    const std::size_t n = std::min(e.size(), a.size());
    std::size_t first = n;
    for (std::size_t i = 0; i < n; ++i) {
      if (e[i] == a[i]) continue;
      if (first == n) first = i;
      ++m.differing_bytes;
    }
    m.differing_bytes += std::max(e.size(), a.size()) - n;
    m.byte_offset = first;
    m.in_guard = first >= b.bytes();
    const std::size_t width = elem_size(b.type);
    m.element = first / width;
    if (!m.in_guard) {
      m.expected = format_element(b.type, e.data() + m.element * width);
      m.actual = format_element(b.type, a.data() + m.element * width);
    } else if (first < n) {
      m.expected = fmt::format("guard byte 0x{:02x}", e[first]);
      m.actual = fmt::format("0x{:02x}", a[first]);
    }
    return m;
  }
  return std::nullopt;
}

}  // namespace miriam::check
