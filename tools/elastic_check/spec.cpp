#include "spec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace miriam::check {
namespace {

using nlohmann::json;

struct TypeInfo {
  ElemType type;
  const char* name;
  std::size_t size;
  bool integer;
  double lo, hi;  // representable range, integers only
};

constexpr TypeInfo kTypes[] = {
    {ElemType::Float, "float", 4, false, 0, 0},
    {ElemType::Double, "double", 8, false, 0, 0},
    {ElemType::Half, "half", 2, false, 0, 0},
    {ElemType::Int, "int", 4, true, -2147483648.0, 2147483647.0},
    {ElemType::Unsigned, "unsigned", 4, true, 0, 4294967295.0},
    {ElemType::Int8, "int8", 1, true, -128, 127},
    {ElemType::Uint8, "uint8", 1, true, 0, 255},
    {ElemType::Int64, "int64", 8, true, -9223372036854775808.0, 9223372036854775807.0},
    {ElemType::Uint64, "uint64", 8, true, 0, 18446744073709551615.0},
};

const TypeInfo& info(ElemType type) {
  for (const TypeInfo& t : kTypes)
    if (t.type == type) return t;
  throw std::logic_error("unknown ElemType");
}

std::size_t align_up(std::size_t value, std::size_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

class Parser {
 public:
  Parser(LaunchSpec& spec, std::string where) : spec_(spec), where_(std::move(where)) {}

  ArgSpec parse_arg(const json& j, const std::string& name) {
    if (!j.is_object()) fail(name, "an argument must be an object");
    const int kinds = int(j.contains("scalar")) + int(j.contains("buffer")) + int(j.contains("struct"));
    if (kinds != 1) fail(name, "an argument needs exactly one of \"scalar\", \"buffer\", \"struct\"");
    if (j.contains("scalar")) return parse_scalar(j, name);
    if (j.contains("buffer")) return parse_buffer(j, name);
    return parse_struct(j, name);
  }

 private:
  [[noreturn]] void fail(const std::string& name, const std::string& what) const {
    throw SpecError(fmt::format("{}: {}: {}", where_, name, what));
  }

  void only_keys(const json& j, const std::string& name, std::initializer_list<const char*> allowed) const {
    for (const auto& item : j.items())
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* k) { return item.key() == k; }))
        fail(name, fmt::format("unknown key \"{}\"", item.key()));
  }

  ElemType elem(const json& j, const std::string& name) const {
    if (!j.is_string()) fail(name, "element type must be a string");
    const auto type = parse_elem_type(j.get<std::string>());
    if (!type) fail(name, fmt::format("unknown element type \"{}\"", j.get<std::string>()));
    return *type;
  }

  ArgSpec parse_scalar(const json& j, const std::string& name) {
    only_keys(j, name, {"scalar", "value"});
    ArgSpec arg;
    arg.kind = ArgSpec::Kind::Scalar;
    arg.type = elem(j["scalar"], name);
    arg.size = arg.alignment = elem_size(arg.type);
    if (!j.contains("value") || !j["value"].is_number()) fail(name, "a scalar needs a numeric \"value\"");
    const json& v = j["value"];
    arg.scalar.resize(arg.size);
    unsigned char* out = arg.scalar.data();
    auto put = [&](auto x) { std::memcpy(out, &x, sizeof x); };
    switch (arg.type) {
      case ElemType::Float: put(v.get<float>()); break;
      case ElemType::Double: put(v.get<double>()); break;
      case ElemType::Half: put(float_to_half_bits(v.get<float>())); break;
      case ElemType::Int64:
        if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
          fail(name, "value out of range for int64");
        put(integral<std::int64_t>(v, name));
        break;
      case ElemType::Uint64: put(integral<std::uint64_t>(v, name)); break;
      case ElemType::Int: put(static_cast<std::int32_t>(checked_int(v, name, arg.type))); break;
      case ElemType::Unsigned: put(static_cast<std::uint32_t>(checked_int(v, name, arg.type))); break;
      case ElemType::Int8: put(static_cast<std::int8_t>(checked_int(v, name, arg.type))); break;
      case ElemType::Uint8: put(static_cast<std::uint8_t>(checked_int(v, name, arg.type))); break;
    }
    return arg;
  }

  template <typename T>
  T integral(const json& v, const std::string& name) const {
    if (!v.is_number_integer()) fail(name, "an integer scalar needs an integer value");
    if (std::is_unsigned_v<T> && v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() < 0)
      fail(name, "negative value for an unsigned type");
    return v.get<T>();
  }

  long long checked_int(const json& v, const std::string& name, ElemType type) const {
    if (!v.is_number_integer()) fail(name, "an integer scalar needs an integer value");
    const TypeInfo& t = info(type);
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > 4294967295ull) fail(name, "value out of range");
    const long long x = v.get<long long>();
    if (double(x) < t.lo || double(x) > t.hi) fail(name, fmt::format("value {} out of range for {}", x, t.name));
    return x;
  }

  ArgSpec parse_buffer(const json& j, const std::string& name) {
    only_keys(j, name, {"buffer", "count", "init", "min", "max"});
    BufferSpec b;
    b.name = name;
    b.type = elem(j["buffer"], name);
    if (!j.contains("count") || !j["count"].is_number_unsigned() || j["count"].get<std::uint64_t>() == 0)
      fail(name, "a buffer needs a positive integer \"count\"");
    b.count = j["count"].get<std::size_t>();
    if (!j.contains("init") || !j["init"].is_string()) fail(name, "a buffer needs \"init\": random, zero or poison");
    const std::string init = j["init"].get<std::string>();
    if (init == "random") b.init = Init::Random;
    else if (init == "zero") b.init = Init::Zero;
    else if (init == "poison") b.init = Init::Poison;
    else fail(name, fmt::format("unknown init \"{}\" (random, zero, poison)", init));
    if ((j.contains("min") || j.contains("max")) && b.init != Init::Random)
      fail(name, "\"min\"/\"max\" only apply to init \"random\"");
    const TypeInfo& t = info(b.type);
    if (t.integer) {
      b.min = 0;
      b.max = std::min(1000.0, t.hi);
    } else {
      b.min = -1;
      b.max = 1;
    }
    for (const char* key : {"min", "max"}) {
      if (!j.contains(key)) continue;
      const json& v = j[key];
      if (!v.is_number() || (t.integer && !v.is_number_integer()))
        fail(name, fmt::format("\"{}\" must be a{} number", key, t.integer ? "n integer" : ""));
      const double x = v.get<double>();
      if (t.integer && (x < t.lo || x > t.hi)) fail(name, fmt::format("\"{}\" out of range for {}", key, t.name));
      (std::strcmp(key, "min") == 0 ? b.min : b.max) = x;
    }
    if (!(b.min <= b.max)) fail(name, "\"min\" > \"max\"");
    ArgSpec arg;
    arg.kind = ArgSpec::Kind::Buffer;
    arg.type = b.type;
    arg.buffer = spec_.buffers.size();
    arg.size = arg.alignment = sizeof(void*);
    spec_.buffers.push_back(std::move(b));
    return arg;
  }

  ArgSpec parse_struct(const json& j, const std::string& name) {
    only_keys(j, name, {"struct"});
    const json& fields = j["struct"];
    if (!fields.is_array() || fields.empty()) fail(name, "\"struct\" needs a non-empty array of fields");
    ArgSpec arg;
    arg.kind = ArgSpec::Kind::Struct;
    std::size_t offset = 0;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      ArgSpec field = parse_arg(fields[i], fmt::format("{}.{}", name, i));
      offset = align_up(offset, field.alignment);
      arg.offsets.push_back(offset);
      offset += field.size;
      arg.alignment = std::max(arg.alignment, field.alignment);
      arg.fields.push_back(std::move(field));
    }
    arg.size = align_up(offset, arg.alignment);
    return arg;
  }

  LaunchSpec& spec_;
  std::string where_;
};

std::array<unsigned, 3> parse_dim3(const json& j, const std::string& where, const char* key) {
  if (!j.contains(key)) throw SpecError(fmt::format("{}: missing \"{}\"", where, key));
  const json& v = j[key];
  if (!v.is_array() || v.empty() || v.size() > 3)
    throw SpecError(fmt::format("{}: \"{}\" must be an array of 1 to 3 positive integers", where, key));
  std::array<unsigned, 3> out{1, 1, 1};
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_number_unsigned() || v[i].get<std::uint64_t>() == 0 || v[i].get<std::uint64_t>() > 0xffffffffull)
      throw SpecError(fmt::format("{}: \"{}\"[{}] must be a positive 32-bit integer", where, key, i));
    out[i] = v[i].get<unsigned>();
  }
  return out;
}

}  // namespace

std::optional<ElemType> parse_elem_type(const std::string& name) {
  for (const TypeInfo& t : kTypes)
    if (name == t.name) return t.type;
  return std::nullopt;
}

const char* elem_type_name(ElemType type) { return info(type).name; }
std::size_t elem_size(ElemType type) { return info(type).size; }
bool elem_is_integer(ElemType type) { return info(type).integer; }

std::string LaunchSpec::display_name() const {
  return template_args.empty() ? kernel : fmt::format("{}<{}>", kernel, template_args);
}

LaunchSpec parse_launch(const json& j, const std::string& file, std::size_t index) {
  const std::string where = fmt::format("{}: launches[{}]", file, index);
  if (!j.is_object()) throw SpecError(where + ": must be an object");
  static const std::set<std::string> allowed = {"kernel", "template_args", "grid", "block",
                                                "dynamic_shared_bytes", "order_independent", "bitwise_reproducible",
                                                "args", "comment"};
  for (const auto& item : j.items())
    if (!allowed.count(item.key())) throw SpecError(fmt::format("{}: unknown key \"{}\"", where, item.key()));
  LaunchSpec spec;
  spec.file = file;
  spec.index = index;
  if (!j.contains("kernel") || !j["kernel"].is_string() || j["kernel"].get<std::string>().empty())
    throw SpecError(where + ": missing \"kernel\"");
  spec.kernel = j["kernel"].get<std::string>();
  if (j.contains("template_args")) {
    if (!j["template_args"].is_string()) throw SpecError(where + ": \"template_args\" must be a string");
    spec.template_args = j["template_args"].get<std::string>();
  }
  spec.grid = parse_dim3(j, where, "grid");
  spec.block = parse_dim3(j, where, "block");
  if (j.contains("dynamic_shared_bytes")) {
    if (!j["dynamic_shared_bytes"].is_number_unsigned())
      throw SpecError(where + ": \"dynamic_shared_bytes\" must be a non-negative integer");
    spec.dynamic_shared_bytes = j["dynamic_shared_bytes"].get<std::size_t>();
  }
  if (j.contains("order_independent")) {
    if (!j["order_independent"].is_boolean()) throw SpecError(where + ": \"order_independent\" must be a boolean");
    spec.order_independent = j["order_independent"].get<bool>();
  }
  if (j.contains("bitwise_reproducible")) {
    if (!j["bitwise_reproducible"].is_boolean())
      throw SpecError(where + ": \"bitwise_reproducible\" must be a boolean");
    spec.bitwise_reproducible = j["bitwise_reproducible"].get<bool>();
  }
  if (!j.contains("args") || !j["args"].is_array()) throw SpecError(where + ": missing \"args\" array");
  Parser parser(spec, where);
  for (std::size_t i = 0; i < j["args"].size(); ++i)
    spec.args.push_back(parser.parse_arg(j["args"][i], fmt::format("arg{}", i)));
  return spec;
}

std::vector<LaunchSpec> parse_spec_document(const json& doc, const std::string& file) {
  if (!doc.is_object() || !doc.contains("launches") || !doc["launches"].is_array())
    throw SpecError(file + ": expected an object with a \"launches\" array");
  std::vector<LaunchSpec> out;
  for (std::size_t i = 0; i < doc["launches"].size(); ++i) out.push_back(parse_launch(doc["launches"][i], file, i));
  return out;
}

std::vector<LaunchSpec> load_specs(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw SpecError(fmt::format("{}: not a directory", dir));
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const std::string suffix = ".launch.json";
    if (entry.is_regular_file() && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<LaunchSpec> out;
  for (const fs::path& path : files) {
    std::ifstream in(path);
    if (!in) throw SpecError(fmt::format("{}: cannot open", path.string()));
    json doc;
    try {
      doc = json::parse(in);
    } catch (const json::parse_error& e) {
      throw SpecError(fmt::format("{}: {}", path.string(), e.what()));
    }
    for (LaunchSpec& spec : parse_spec_document(doc, path.filename().string())) out.push_back(std::move(spec));
  }
  return out;
}

std::uint16_t float_to_half_bits(float value) {
  std::uint32_t f;
  std::memcpy(&f, &value, sizeof f);
  const std::uint32_t sign = (f >> 16) & 0x8000u;
  const std::uint32_t exp = (f >> 23) & 0xffu;
  std::uint32_t mant = f & 0x7fffffu;
  if (exp == 0xff) return static_cast<std::uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0u));  // inf / nan
  const int e = int(exp) - 127 + 15;
  if (e >= 31) return static_cast<std::uint16_t>(sign | 0x7c00u);  // overflow to inf
  if (e <= 0) {                                                      // subnormal or zero
    if (e < -10) return static_cast<std::uint16_t>(sign);
    mant |= 0x800000u;
    const int shift = 14 - e;
    std::uint32_t half = mant >> shift;
    const std::uint32_t rest = mant & ((1u << shift) - 1);
    const std::uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return static_cast<std::uint16_t>(sign | half);
  }
  std::uint32_t half = (std::uint32_t(e) << 10) | (mant >> 13);
  const std::uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // may carry into the exponent: correct
  return static_cast<std::uint16_t>(sign | half);
}

}  // namespace miriam::check
