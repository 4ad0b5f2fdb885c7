// Launch specs: test_kernels/<stem>.launch.json, parsed into plain structs.
//
// A spec names a kernel instantiation, its launch shape and its arguments.
// Argument layouts (size, alignment, struct field offsets) are computed here,
// with natural C alignment, so the harness can build the exact bytes that
// cudaLaunchKernel copies into the kernel's parameter space.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace miriam::check {

struct SpecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class ElemType { Float, Double, Half, Int, Unsigned, Int8, Uint8, Int64, Uint64 };

std::optional<ElemType> parse_elem_type(const std::string& name);
const char* elem_type_name(ElemType type);
std::size_t elem_size(ElemType type);  // also its alignment
bool elem_is_integer(ElemType type);

enum class Init { Random, Zero, Poison };

// One buffer of a launch, wherever it sits in the argument tree.
struct BufferSpec {
  std::string name;  // "arg2" or "arg5.1" (field 1 of the struct in arg 5)
  ElemType type = ElemType::Float;
  std::size_t count = 0;
  Init init = Init::Random;
  double min = 0, max = 0;  // for Init::Random, inclusive for integers
  std::size_t bytes() const { return count * elem_size(type); }
};

struct ArgSpec {
  enum class Kind { Scalar, Buffer, Struct };
  Kind kind = Kind::Scalar;
  ElemType type = ElemType::Float;       // Scalar, Buffer
  std::vector<unsigned char> scalar;     // Scalar: the value's bytes
  std::size_t buffer = 0;                // Buffer: index into LaunchSpec::buffers
  std::vector<ArgSpec> fields;           // Struct
  std::vector<std::size_t> offsets;      // Struct: field offsets
  std::size_t size = 0;                  // bytes in the kernel's parameter space
  std::size_t alignment = 1;
};

struct LaunchSpec {
  std::string file;   // spec file name, for messages
  std::size_t index = 0;  // position in "launches"
  std::string kernel;
  std::string template_args;
  std::array<unsigned, 3> grid{1, 1, 1};
  std::array<unsigned, 3> block{1, 1, 1};
  std::size_t dynamic_shared_bytes = 0;
  bool order_independent = false;
  // False for kernels whose output bits depend on execution order even run
  // alone (float atomics): bitwise equivalence cannot be checked for them.
  bool bitwise_reproducible = true;
  std::vector<ArgSpec> args;
  std::vector<BufferSpec> buffers;

  unsigned long long block_count() const {
    return static_cast<unsigned long long>(grid[0]) * grid[1] * grid[2];
  }
  // "ns::k<float, 16>" or "ns::k"
  std::string display_name() const;
};

// Parses one launch object; `file`/`index` only label messages.
LaunchSpec parse_launch(const nlohmann::json& launch, const std::string& file, std::size_t index);
// Parses a whole spec document ({"launches": [...]}).
std::vector<LaunchSpec> parse_spec_document(const nlohmann::json& doc, const std::string& file);
// Reads every *.launch.json in `dir`, sorted by file name.
std::vector<LaunchSpec> load_specs(const std::string& dir);

// IEEE binary16 bits of `value`, round to nearest even.
std::uint16_t float_to_half_bits(float value);

}  // namespace miriam::check
